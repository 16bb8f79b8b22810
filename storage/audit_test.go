package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

func TestAuditLogQueries(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 2, 1, 8, 0, 0, 123456000, time.UTC)
		entries := []storage.AuditEntry{
			{At: t0, Action: "login", ActorID: 7, Target: "user:7", IP: "203.0.113.5"},
			{At: t0.Add(time.Hour), Action: "client.create", Target: "partner", Detail: `{"name":"Partner"}`},
			{At: t0.Add(2 * time.Hour), Action: "login", ActorID: 8, Target: "user:8"},
			{At: t0.Add(3 * time.Hour), Action: "logout", ActorID: 7},
		}
		for _, e := range entries {
			if err := db.AddAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name string
			q    storage.AuditQuery
			want []string // targets, newest first
		}{
			{"all", storage.AuditQuery{}, []string{"", "user:8", "partner", "user:7"}},
			{"action", storage.AuditQuery{Action: "login"}, []string{"user:8", "user:7"}},
			{"actor", storage.AuditQuery{ActorID: 7}, []string{"", "user:7"}},
			{"since inclusive, until exclusive", storage.AuditQuery{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour)}, []string{"user:8", "partner"}},
			{"limit", storage.AuditQuery{Limit: 1}, []string{""}},
		} {
			got, err := db.AuditLog(ctx, tc.q)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var targets []string
			for _, e := range got {
				targets = append(targets, e.Target)
			}
			if !slices.Equal(targets, tc.want) {
				t.Errorf("%s: got %q, want %q", tc.name, targets, tc.want)
			}
		}
		got, _ := db.AuditLog(ctx, storage.AuditQuery{Action: "client.create"})
		if len(got) != 1 || got[0].Detail != `{"name":"Partner"}` || got[0].ActorID != 0 || !got[0].At.Equal(t0.Add(time.Hour)) {
			t.Fatalf("round trip: %+v", got)
		}
		got, _ = db.AuditLog(ctx, storage.AuditQuery{ActorID: 7, Action: "login"})
		if len(got) != 1 || got[0].IP != "203.0.113.5" || got[0].Detail != "{}" || got[0].At.Location() != time.UTC {
			t.Fatalf("round trip: %+v", got)
		}
	})
}

func TestAuditEntryJoinsTheTransaction(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, func(ctx context.Context) error {
			if err := db.AddAudit(ctx, storage.AuditEntry{At: time.Now(), Action: "member.remove"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if got, _ := db.AuditLog(ctx, storage.AuditQuery{}); len(got) != 0 {
			t.Fatalf("a rolled-back entry was kept: %+v", got)
		}
		for _, bad := range []storage.AuditEntry{{At: time.Now()}, {At: time.Now(), Action: "login", Detail: "not json"}} {
			if err := db.AddAudit(ctx, bad); err == nil {
				t.Errorf("accepted %+v", bad)
			}
		}
	})
}
