package storage_test

import (
	"errors"
	"sync"
	"testing"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestFunnel: the counters add up under concurrency, and the requests are counted by what
// became of them, with the reasons of those that did not end in membership.
func TestFunnel(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org := w.user(1)
		c, other := w.circle(org), w.circle(org)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := db.CountFunnel(w.ctx, c, storage.FunnelOpened); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for _, step := range []string{storage.FunnelSignedIn, storage.FunnelSignedIn, storage.FunnelOpened} {
			if err := db.CountFunnel(w.ctx, c, step); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CountFunnel(w.ctx, other, storage.FunnelOpened); err != nil {
			t.Fatal(err)
		}
		w.decided(c, w.user(10), storage.RequestAdmitted)
		w.decided(c, w.user(11), storage.RequestWaiting, qrcircles.ReasonAfterWindow, qrcircles.ReasonNotInRange)
		w.decided(c, w.user(12), storage.RequestWaiting, qrcircles.ReasonNotInRange)
		w.decided(c, w.user(13), storage.RequestRefused, qrcircles.ReasonNotOnSite)
		f, err := db.FunnelOf(w.ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if f.Opened != 9 || f.SignedIn != 2 || f.Requests != 4 || f.Joined != 1 || f.Waiting != 2 || f.Refused != 1 {
			t.Fatalf("funnel %+v", f)
		}
		if f.Reasons[qrcircles.ReasonNotInRange] != 2 || f.Reasons[qrcircles.ReasonAfterWindow] != 1 || f.Reasons[qrcircles.ReasonNotOnSite] != 1 {
			t.Fatalf("reasons %v", f.Reasons)
		}
	})
}

// TestReopen: only a declined request goes back to the queue, with its scan time and reasons.
func TestReopen(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org, ann := w.user(1), w.user(2)
		c := w.circle(org)
		q := w.decided(c, ann, storage.RequestWaiting, qrcircles.ReasonReview).Request
		if _, err := db.Reopen(w.ctx, c, q.ID); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("re-opening a waiting request: %v, want ErrConflict", err)
		}
		if _, err := db.Deny(w.ctx, c, q.ID, org, w.now); err != nil {
			t.Fatal(err)
		}
		got, err := db.Reopen(w.ctx, c, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != storage.RequestWaiting || !got.ScanTime.Equal(q.ScanTime) || len(got.Reasons) != 1 || got.Reasons[0] != qrcircles.ReasonReview || got.DecidedBy != 0 {
			t.Fatalf("re-opened %+v", got)
		}
		if _, err := db.Reopen(w.ctx, c, q.ID+100); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("re-opening an unknown request: %v, want ErrNotFound", err)
		}
	})
}
