package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

func TestUsersAreOnePerPhone(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		var wg sync.WaitGroup
		ids := make([]int64, 8)
		created := make([]bool, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, c, err := db.EnsureUser(ctx, "+8613800138000", now)
				if err != nil {
					t.Error(err)
				}
				ids[i], created[i] = u.ID, c
			}()
		}
		wg.Wait()
		n := 0
		for i := range 8 {
			if ids[i] != ids[0] || ids[i] == 0 {
				t.Fatalf("concurrent first logins made different users: %v", ids)
			}
			if created[i] {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d calls say they created the user", n)
		}
		if err := db.SetDisplayName(ctx, ids[0], "Li Lei", now); err != nil {
			t.Fatal(err)
		}
		u, err := db.UserByPhone(ctx, "+8613800138000")
		if err != nil || u.DisplayName != "Li Lei" {
			t.Fatalf("%+v %v", u, err)
		}
		if _, err := db.User(ctx, ids[0]+100); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing user: %v", err)
		}
	})
}

func TestLoginSessionsExpire(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		u, _, err := db.EnsureUser(ctx, "+8613800138001", now)
		if err != nil {
			t.Fatal(err)
		}
		s := qrcircles.LoginSession{IDHash: "h1", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := db.CreateLoginSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		if got, err := db.LoginSession(ctx, "h1", now.Add(59*time.Minute)); err != nil || got.UserID != u.ID {
			t.Fatalf("live session: %+v %v", got, err)
		}
		if _, err := db.LoginSession(ctx, "h1", now.Add(time.Hour)); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if err := db.DeleteLoginSession(ctx, "h1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LoginSession(ctx, "h1", now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("deleted session: %v", err)
		}
	})
}

func TestConsentsAndSigningKeys(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		u, _, _ := db.EnsureUser(ctx, "+8613800138002", now)
		for _, scopes := range []string{"openid", "openid profile"} {
			if err := db.PutConsent(ctx, qrcircles.Consent{UserID: u.ID, ClientID: "c1", Scopes: scopes, GrantedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		c, err := db.Consent(ctx, u.ID, "c1")
		if err != nil || c.Scopes != "openid profile" {
			t.Fatalf("consent: %+v %v", c, err)
		}
		if cs, _ := db.Consents(ctx, u.ID); len(cs) != 1 {
			t.Fatalf("consents: %v", cs)
		}
		if err := db.DeleteConsent(ctx, u.ID, "c1"); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteConsent(ctx, u.ID, "c1"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		for i, kid := range []string{"a", "b"} {
			if err := db.AddSigningKey(ctx, qrcircles.SigningKey{KID: kid, Algorithm: "RS256", PrivateKey: "x", CreatedAt: now.Add(time.Duration(i) * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		ks, err := db.SigningKeys(ctx)
		if err != nil || len(ks) != 2 || ks[0].KID != "b" {
			t.Fatalf("keys newest first: %+v %v", ks, err)
		}
		if err := db.DeleteSigningKeys(ctx, []string{"a"}); err != nil {
			t.Fatal(err)
		}
		if ks, _ := db.SigningKeys(ctx); len(ks) != 1 {
			t.Fatalf("after delete: %+v", ks)
		}
	})
}
