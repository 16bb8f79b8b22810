package storage_test

import (
	"errors"
	"testing"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

func TestWelcomeIsAnsweredOncePerMembership(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		owner, ann, bo := w.user(1), w.user(2), w.user(3)
		expo, fair := w.circle(owner, ann), w.circle(owner, ann)
		if got, err := db.Welcomed(w.ctx, expo, ann); err != nil || got {
			t.Fatalf("a new member is welcomed already: %v %v", got, err)
		}
		if err := db.MarkWelcomed(w.ctx, expo, ann, w.now); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Welcomed(w.ctx, expo, ann); err != nil || !got {
			t.Fatalf("after the answer: %v %v", got, err)
		}
		if got, _ := db.Welcomed(w.ctx, fair, ann); got {
			t.Fatal("the answer in one circle counted for another")
		}
		if _, err := db.Welcomed(w.ctx, expo, bo); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("someone who is no member: %v", err)
		}
		if err := db.MarkWelcomed(w.ctx, expo, bo, w.now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("welcoming someone who is no member: %v", err)
		}
	})
}
