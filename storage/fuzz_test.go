package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ory/fosite"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// FuzzLookupByOutsideKey: a circle code, a client ID (of a consent too) or an SMS challenge ID from outside (a
// path, a query, a form) finds its row or nothing — never a database error, whatever its bytes:
// PostgreSQL refuses NUL and invalid UTF-8 in text, and such a key is simply no row's.
func FuzzLookupByOutsideKey(f *testing.F) {
	const code, client = "Xk3v9QmZp2LwR7tYbN4sAA", "partner-app"
	dbs := []*storage.DB{storagetest.SQLite(f)}
	if storagetest.PostgresURL(f) != "" {
		dbs = append(dbs, storagetest.Postgres(f))
	}
	ctx, now := context.Background(), time.Now().UTC()
	for _, db := range dbs {
		u, _, err := db.EnsureUser(ctx, "+8613800138000", now)
		if err != nil {
			f.Fatal(err)
		}
		if err := db.CreateCircle(ctx, &storage.Circle{Code: code, OwnerID: u.ID, Title: "t", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}, nil); err != nil {
			f.Fatal(err)
		}
		if err := db.CreateClient(ctx, &storage.OAuthClient{ID: client, Name: "Partner", Public: true, CreatedAt: now, UpdatedAt: now}); err != nil {
			f.Fatal(err)
		}
	}
	for _, s := range []string{code, client, "", "\x00", code + "\x00", "\xff\xfe", "\xc0\x80", "%00", "a\u0000b", "😀", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		for _, db := range dbs {
			c, err := db.CircleByCode(ctx, key)
			if (key == code) != (err == nil) || (err != nil && !errors.Is(err, storage.ErrNotFound)) || (err == nil && c.Code != code) {
				t.Fatalf("%s: CircleByCode(%q) = %q, %v", db.Dialect(), key, c.Code, err)
			}
			if _, err := db.OTPChallenge(ctx, key); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("%s: OTPChallenge(%q) = %v", db.Dialect(), key, err)
			}
			if _, err := db.Consent(ctx, 1, key); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("%s: Consent(1, %q) = %v", db.Dialect(), key, err)
			}
			cl, err := db.Client(ctx, key)
			if (key == client) != (err == nil) || (err != nil && !errors.Is(err, fosite.ErrNotFound)) || (err == nil && cl.ID != client) {
				t.Fatalf("%s: Client(%q) = %v, %v", db.Dialect(), key, cl, err)
			}
		}
	})
}
