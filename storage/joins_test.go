package storage_test

import (
	"context"
	"errors"
	"fmt"
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

// TestJoinGuess: a guessed join is written in one go when its facts hold, and never when
// one of them does not — a previous request, a rule change since the caller read the
// circle, an exclusion, a refusal of all circles, an allowlist without the phone, a full
// circle: then Join decides on the facts it read.
func TestJoinGuess(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org := w.user(1)
		user := func(n int) storage.User {
			u, err := db.User(w.ctx, w.user(n))
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		circle := func(r qrcircles.Rules, allowlist ...string) storage.Circle {
			c := storage.Circle{Code: fmt.Sprintf("guess-%d", w.now.UnixNano()), OwnerID: org, Title: "Guess", TimeZone: "UTC",
				Rules: r, CreatedAt: w.now, UpdatedAt: w.now}
			w.now = w.now.Add(time.Second)
			if err := db.CreateCircle(w.ctx, &c, allowlist); err != nil {
				t.Fatal(err)
			}
			return c
		}
		// guessed joins u to c as read, with the guess that u is admitted; it reports
		// whether Join had to decide on the facts.
		guessed := func(c storage.Circle, u storage.User) (decided bool, out storage.JoinOutcome) {
			t.Helper()
			q := storage.JoinRequest{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, ScanTime: w.now, Status: storage.RequestAdmitted}
			write := storage.JoinWrite{Request: q, Member: true, At: w.now}
			k := storage.JoinKey{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, Seat: c.Rules.Cap > 0,
				Guess: &storage.JoinGuess{Facts: storage.JoinFacts{Circle: c, Listed: c.AllowlistSize > 0}, Write: write}}
			out, err := db.Join(w.ctx, k, func(f storage.JoinFacts) (*storage.JoinWrite, error) {
				decided = true
				if f.Previous != nil {
					return nil, nil
				}
				q.Status = storage.RequestWaiting
				return &storage.JoinWrite{Request: q, At: w.now}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return decided, out
		}
		want := func(what string, decided bool, out storage.JoinOutcome, wantDecided bool) {
			t.Helper()
			if decided != wantDecided || out.Member == wantDecided {
				t.Errorf("%s: decided on the facts %v, member %v; want decided %v", what, decided, out.Member, wantDecided)
			}
		}

		open := circle(qrcircles.Rules{})
		ann, bob, cid, dan, eve := user(2), user(3), user(4), user(5), user(6)
		d, out := guessed(open, ann)
		want("a plain first join", d, out, false)
		if d, out := guessed(open, ann); !d || !out.Member {
			t.Errorf("a repeat: decided %v, member %v; want decided, still a member", d, out.Member)
		}

		stale := open
		changed := open
		changed.Rules.Mode = qrcircles.ModeReview
		if err := db.UpdateCircle(w.ctx, &changed, nil, nil); err != nil {
			t.Fatal(err)
		}
		d, out = guessed(stale, bob)
		want("a circle changed since it was read", d, out, true)

		plain := circle(qrcircles.Rules{})
		if d, out := guessed(plain, cid); d || !out.Member {
			t.Fatalf("setup: %v %+v", d, out)
		}
		if _, err := db.CreateExclusion(w.ctx, dan.ID, dan.Phone, cid.Phone, w.now); err != nil {
			t.Fatal(err)
		}
		d, out = guessed(plain, dan)
		want("an excluded person", d, out, true)

		if err := db.SetRefuseAllCircles(w.ctx, eve.ID, true, w.now); err != nil {
			t.Fatal(err)
		}
		d, out = guessed(plain, eve)
		want("a person who refuses all circles", d, out, true)

		listed := circle(qrcircles.Rules{}, ann.Phone)
		d, out = guessed(listed, ann)
		want("a listed phone", d, out, false)
		d, out = guessed(listed, bob)
		want("a phone off the list", d, out, true)

		capped := circle(qrcircles.Rules{Cap: 1})
		d, out = guessed(capped, ann)
		want("the first of a cap of one", d, out, false)
		d, out = guessed(capped, bob)
		want("the second of a cap of one", d, out, true)
	})
}
