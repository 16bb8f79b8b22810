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

// TestDatabaseOutageIsUnavailableNotNotFound: while the database is gone every way a store
// reaches it (a query, a statement, a row scanned by hand, a transaction, a ping, fosite's
// token lookup) fails with ErrUnavailable, and never with ErrNotFound; before it, a missing
// row is ErrNotFound and not ErrUnavailable.
func TestDatabaseOutageIsUnavailableNotNotFound(t *testing.T) {
	storagetest.BackendsWithOutage(t, func(t *testing.T, db *storage.DB, o *storagetest.Outage) {
		ctx := context.Background()
		u, _, err := db.EnsureUser(ctx, "+8613800000001", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.User(ctx, u.ID+1000)
		if !errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrUnavailable) {
			t.Fatalf("missing user before the outage: %v", err)
		}

		o.Cut()
		calls := map[string]error{}
		_, calls["query"] = db.User(ctx, u.ID)
		_, _, calls["insert"] = db.EnsureUser(ctx, "+8613800000002", time.Now())
		_, calls["row scan"] = db.CardFacts(ctx, u.ID, u.ID, 0)
		calls["transaction"] = db.InTx(ctx, func(ctx context.Context) error {
			_, err := db.User(ctx, u.ID)
			return err
		})
		calls["ping"] = db.Ping(ctx)
		_, calls["fosite token"] = db.GetAccessTokenSession(ctx, "signature", nil)
		calls["fosite transaction"] = func() error { _, err := db.BeginTX(ctx); return err }()
		for what, err := range calls {
			if !errors.Is(err, storage.ErrUnavailable) {
				t.Errorf("%s: %v, want ErrUnavailable", what, err)
			}
			if errors.Is(err, storage.ErrNotFound) || errors.Is(err, fosite.ErrNotFound) {
				t.Errorf("%s: an outage reads as not found: %v", what, err)
			}
		}
	})
}

// TestDatabaseOutageEnds: once PostgreSQL is reachable again the same handle works, with no
// restart of anything.
func TestDatabaseOutageEnds(t *testing.T) {
	db, o := storagetest.PostgresWithOutage(t)
	ctx := context.Background()
	o.Cut()
	if err := db.Ping(ctx); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("ping while cut: %v", err)
	}
	o.Restore(t)
	if _, _, err := db.EnsureUser(ctx, "+8613800000003", time.Now()); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}
