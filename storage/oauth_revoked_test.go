package storage_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ory/fosite/handler/openid"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// readRevoked reads the revocation log from cursor.
func readRevoked(t *testing.T, db *storage.DB, cursor string) ([]string, string) {
	t.Helper()
	keys, next, err := db.RevokedTokens(context.Background(), cursor)
	if err != nil {
		t.Fatal(err)
	}
	if next == "" {
		t.Fatal("RevokedTokens returned no cursor")
	}
	return keys, next
}

func TestRevokedTokensLogEveryWayOfDeletingAnAccessToken(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		newTestClient(t, db, "doomed")
		u, _, err := db.EnsureUser(ctx, "+8613800138000", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		grant := func(clientID, family, subject string) {
			r := newRequest(clientID, family, time.Now().Add(time.Hour))
			r.Session.(*openid.DefaultSession).Subject = subject
			if err := db.CreateAccessTokenSession(ctx, "at-"+family, r); err != nil {
				t.Fatal(err)
			}
		}
		grant("partner", "deleted", "someone")
		grant("partner", "family", "someone")
		grant("partner", "withdrawn", "another")
		grant("partner", "account", strconv.FormatInt(u.ID, 10))
		grant("doomed", "client", "someone")
		grant("partner", "kept", "someone")

		_, cursor := readRevoked(t, db, "")
		before := db.TokenRevocations()
		for _, err := range []error{
			db.DeleteAccessTokenSession(ctx, "at-deleted"),
			db.RevokeAccessToken(ctx, "family"),
			db.RevokeClientTokensFor(ctx, "partner", "another"),
			db.DeleteAccount(ctx, u.ID, time.Now()),
			db.DeleteClient(ctx, "doomed"),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		keys, _ := readRevoked(t, db, cursor)
		for _, f := range []string{"deleted", "family", "withdrawn", "account", "client"} {
			if !slices.Contains(keys, qrcircles.TokenKey("at-"+f)) {
				t.Errorf("the deletion of access token %q is not in the log", f)
			}
		}
		if slices.Contains(keys, qrcircles.TokenKey("at-kept")) {
			t.Error("a token still valid is in the log")
		}
		if got := db.TokenRevocations() - before; got < 5 {
			t.Errorf("TokenRevocations grew by %d over five deletions", got)
		}
	})
}

// TestRevokedTokensSeeARevocationThatCommitsLate: a revocation whose transaction began
// before another's and commits after the log was read past the other is still read next
// time. Ordered by row id alone, it would be skipped.
func TestRevokedTokensSeeARevocationThatCommitsLate(t *testing.T) {
	db := storagetest.Postgres(t)
	ctx := context.Background()
	newTestClient(t, db, "partner")
	for _, sig := range []string{"at-late", "at-early"} {
		if err := db.CreateAccessTokenSession(ctx, sig, newRequest("partner", sig, time.Now().Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	_, cursor := readRevoked(t, db, "")
	deleted, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- db.InTx(ctx, func(ctx context.Context) error {
			if err := db.DeleteAccessTokenSession(ctx, "at-late"); err != nil {
				return err
			}
			close(deleted)
			<-release
			return nil
		})
	}()
	<-deleted
	if err := db.DeleteAccessTokenSession(ctx, "at-early"); err != nil {
		t.Fatal(err)
	}
	keys, cursor := readRevoked(t, db, cursor)
	if !slices.Contains(keys, qrcircles.TokenKey("at-early")) || slices.Contains(keys, qrcircles.TokenKey("at-late")) {
		t.Fatalf("first read %v: want the committed revocation only", keys)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if keys, _ := readRevoked(t, db, cursor); !slices.Contains(keys, qrcircles.TokenKey("at-late")) {
		t.Errorf("the revocation that committed late was skipped: %v", keys)
	}
}
