package storage_test

import (
	"testing"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestSeatsOfCirclesFromBeforeTheSeats: the migration gives the capped circles already
// there a seat for each member and free ones up to the cap.
func TestSeatsOfCirclesFromBeforeTheSeats(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		c, err := db.Circle(w.ctx, w.circle(w.user(1)))
		if err != nil {
			t.Fatal(err)
		}
		c.Rules.Cap = 3
		if err := db.UpdateCircle(w.ctx, &c, nil, nil); err != nil {
			t.Fatal(err)
		}
		seated := func(n int) bool {
			t.Helper()
			u, err := db.User(w.ctx, w.user(n))
			if err != nil {
				t.Fatal(err)
			}
			out, err := db.Join(w.ctx, storage.JoinKey{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, Seat: true},
				func(f storage.JoinFacts) (*storage.JoinWrite, error) {
					q := storage.JoinRequest{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, ScanTime: w.now, Status: storage.RequestAdmitted}
					if f.Members >= f.Circle.Rules.Cap {
						q.Status, q.Reasons = storage.RequestWaiting, []qrcircles.Reason{qrcircles.ReasonCapReached}
					}
					return &storage.JoinWrite{Request: q, Member: q.Status == storage.RequestAdmitted, At: w.now}, nil
				})
			if err != nil {
				t.Fatal(err)
			}
			return out.Member
		}
		if !seated(2) || !seated(3) {
			t.Fatal("setup: the first two of three seats")
		}
		if err := db.Gorm().Exec("DELETE FROM circle_seats").Error; err != nil {
			t.Fatal(err)
		}
		if err := storage.FitAllSeats(db); err != nil {
			t.Fatal(err)
		}
		if !seated(4) {
			t.Error("the last free seat was not found")
		}
		if seated(5) {
			t.Error("a seat past the cap")
		}
	})
}
