package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qrcircles"
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
		join := func(circleID, userID int64, status string, reasons ...qrcircles.Reason) storage.JoinRequest {
			t.Helper()
			c, err := db.Circle(w.ctx, circleID)
			if err != nil {
				t.Fatal(err)
			}
			u, err := db.User(w.ctx, userID)
			if err != nil {
				t.Fatal(err)
			}
			out, err := join(w.ctx, db, c, u, w.now, status, reasons...)
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
		waiting := join(a, ann, storage.RequestWaiting, qrcircles.ReasonReview)
		refused := join(b, ann, storage.RequestRefused, qrcircles.ReasonClosed)
		admitted := join(a, bob, storage.RequestAdmitted)
		if waiting.Status != storage.RequestWaiting || refused.Status != storage.RequestRefused || admitted.Status != storage.RequestAdmitted {
			t.Fatalf("setup: %s %s %s", waiting.Status, refused.Status, admitted.Status)
		}
		latest(ann, a, waiting)
		if got, _ := db.LatestRequest(w.ctx, ann, a); len(got.Reasons) != 1 || got.Reasons[0] != qrcircles.ReasonReview {
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

// join is a join for storage's own tests, decided in advance: the person's request gets
// status and reasons (a member when admitted), without events; a repeat writes nothing.
func join(ctx context.Context, db *storage.DB, c storage.Circle, u storage.User, now time.Time, status string, reasons ...qrcircles.Reason) (storage.JoinOutcome, error) {
	k := storage.JoinKey{CircleID: c.ID, UserID: u.ID, Phone: u.Phone}
	return db.Join(ctx, k, func(f storage.JoinFacts) (*storage.JoinWrite, error) {
		if f.Previous != nil {
			return nil, nil
		}
		q := storage.JoinRequest{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, ScanTime: now, Status: status, Reasons: reasons}
		return &storage.JoinWrite{Request: q, Member: status == storage.RequestAdmitted, At: now}, nil
	})
}
