package storage_test

import (
	"errors"
	"testing"
	"time"

	"qrcircles/resource/admission"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestLatestRequest: the person's request in that circle, as it stands now; never another
// circle's or another person's (both written later, with higher IDs), never an admission.
func TestLatestRequest(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org, ann, bob := w.user(1), w.user(2), w.user(3)
		a, b := w.circle(org), w.circle(org)
		decide := func(o admission.Outcome, r ...admission.Reason) storage.Decider {
			return func(storage.JoinState) admission.Decision { return admission.Decision{Outcome: o, Reasons: r} }
		}
		join := func(circleID, userID int64, d storage.Decider) storage.JoinRequest {
			t.Helper()
			c, err := db.Circle(w.ctx, circleID)
			if err != nil {
				t.Fatal(err)
			}
			u, err := db.User(w.ctx, userID)
			if err != nil {
				t.Fatal(err)
			}
			out, err := db.Join(w.ctx, c, userID, u.Phone, w.now, w.now, d)
			if err != nil {
				t.Fatal(err)
			}
			return out.Request
		}
		latest := func(userID, circleID int64, want storage.JoinRequest) {
			t.Helper()
			got, err := db.LatestRequest(w.ctx, userID, circleID)
			if err != nil || got.ID != want.ID || got.Status != want.Status || got.CircleID != circleID || got.UserID != userID {
				t.Fatalf("LatestRequest(%d, %d) = %+v %v, want request %d %s", userID, circleID, got, err, want.ID, want.Status)
			}
		}
		notFound := func(userID, circleID int64) {
			t.Helper()
			if got, err := db.LatestRequest(w.ctx, userID, circleID); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("LatestRequest(%d, %d) = %+v %v, want ErrNotFound", userID, circleID, got, err)
			}
		}

		notFound(ann, a)
		waiting := join(a, ann, decide(admission.Queue, admission.ReasonReview))
		refused := join(b, ann, decide(admission.Refuse, admission.ReasonClosed))
		admitted := join(a, bob, decide(admission.Admit))
		if waiting.Status != storage.RequestWaiting || refused.Status != storage.RequestRefused || admitted.Status != storage.RequestAdmitted {
			t.Fatalf("setup: %s %s %s", waiting.Status, refused.Status, admitted.Status)
		}
		latest(ann, a, waiting)
		if got, _ := db.LatestRequest(w.ctx, ann, a); len(got.Reasons) != 1 || got.Reasons[0] != admission.ReasonReview {
			t.Fatalf("reasons %v", got.Reasons)
		}
		latest(ann, b, refused)
		notFound(bob, a) // a member: the request ended in membership
		notFound(bob, b)

		// The request is updated in place: the latest is what it is now.
		denied, err := db.Deny(w.ctx, a, waiting.ID, org, w.now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		latest(ann, a, denied)
		if err := db.EndMembership(w.ctx, a, bob, storage.RequestLeft, w.now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		latest(bob, a, storage.JoinRequest{ID: admitted.ID, Status: storage.RequestLeft})
	})
}
