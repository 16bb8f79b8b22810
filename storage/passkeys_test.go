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

func TestPasskeysAreFoundRemovedAndGoWithTheAccount(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		ann, _, _ := db.EnsureUser(ctx, "+8613800000001", now)
		bo, _, _ := db.EnsureUser(ctx, "+8613800000002", now)
		add := func(user int64, cred string) qrcircles.Passkey {
			p, err := db.AddPasskey(ctx, qrcircles.Passkey{UserID: user, CredentialID: cred, Credential: "{}", Name: cred, CreatedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		a1, a2 := add(ann.ID, "a1"), add(ann.ID, "a2")
		add(bo.ID, "b1")
		if _, err := db.AddPasskey(ctx, qrcircles.Passkey{UserID: bo.ID, CredentialID: "a1", Credential: "{}", CreatedAt: now}); err == nil {
			t.Fatal("a credential ID was stored twice")
		}
		if p, err := db.PasskeyByCredentialID(ctx, "a2"); err != nil || p.ID != a2.ID || p.UserID != ann.ID {
			t.Fatalf("by credential ID: %+v %v", p, err)
		}
		if _, err := db.PasskeyByCredentialID(ctx, "nobody"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown credential: %v", err)
		}
		if err := db.UsePasskey(ctx, a1.ID, `{"n":2}`, now); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.PasskeyByCredentialID(ctx, "a1"); p.Credential != `{"n":2}` || p.LastUsedAt == nil {
			t.Fatalf("after use: %+v", p)
		}
		if err := db.DeletePasskey(ctx, bo.ID, a1.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("someone else removed Ann's passkey: %v", err)
		}
		if err := db.DeletePasskey(ctx, ann.ID, a1.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteAccount(ctx, ann.ID, time.Now()); err != nil { // her passkeys go with the account
			t.Fatal(err)
		}
		if ps, _ := db.Passkeys(ctx, ann.ID); len(ps) != 0 {
			t.Fatalf("Ann's passkeys after her account went: %+v", ps)
		}
		if ps, _ := db.Passkeys(ctx, bo.ID); len(ps) != 1 {
			t.Fatalf("Bo's passkeys: %+v", ps)
		}
	})
}

func TestPasskeyCeremoniesAreTakenOnceBeforeTheyExpire(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		for _, c := range []qrcircles.PasskeyCeremony{
			{IDHash: "live", UserID: 7, Data: "{}", ExpiresAt: now.Add(time.Minute)},
			{IDHash: "old", Data: "{}", ExpiresAt: now.Add(-time.Second)},
		} {
			if err := db.CreatePasskeyCeremony(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if c, err := db.TakePasskeyCeremony(ctx, "live", now); err != nil || c.UserID != 7 {
			t.Fatalf("take: %+v %v", c, err)
		}
		if _, err := db.TakePasskeyCeremony(ctx, "live", now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a challenge answered twice: %v", err)
		}
		if _, err := db.TakePasskeyCeremony(ctx, "old", now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("an expired ceremony was taken: %v", err)
		}
		if err := db.CreatePasskeyCeremony(ctx, qrcircles.PasskeyCeremony{IDHash: "stale", Data: "{}", ExpiresAt: now.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.DeleteExpiredPasskeyCeremonies(ctx, now); err != nil || n != 1 {
			t.Fatalf("cleanup deleted %d (%v)", n, err)
		}
	})
}
