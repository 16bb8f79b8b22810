package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

func TestDeleteAccountLeavesOnlyTheUserID(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx, now := context.Background(), time.Now().UTC()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		ann, _, err := db.EnsureUser(ctx, "+8613800138001", now)
		must(err)
		bob, _, err := db.EnsureUser(ctx, "+8613800138002", now)
		must(err)
		must(db.PutCard(ctx, ann.ID, cards.Card{DisplayName: "Ann"}, now))
		must(db.CreateLoginSession(ctx, qrcircles.LoginSession{IDHash: "s1", UserID: ann.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
		must(db.PutConsent(ctx, qrcircles.Consent{UserID: ann.ID, ClientID: "c", Scopes: "cards:read", GrantedAt: now}))
		must(db.SendMessage(ctx, &storage.Message{FromID: ann.ID, ToID: bob.ID, Body: "hi", CreatedAt: now}))
		must(db.AddAudit(ctx, storage.NewAuditEntry(now, "login", ann.ID, "1", "10.0.0.1", nil)))

		owned := storage.Circle{Code: "annscircle", OwnerID: ann.ID, Title: "Ann's", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
		must(db.CreateCircle(ctx, &owned, nil))

		must(db.DeleteAccount(ctx, ann.ID, now))

		if c, err := db.Circle(ctx, owned.ID); err != nil || !c.Rules.Closed {
			t.Fatalf("the circle she organized is not closed: %+v %v", c.Rules, err)
		}

		u, err := db.User(ctx, ann.ID)
		if err != nil || !u.Deleted() || u.DisplayName != "" || u.Phone == "+8613800138001" {
			t.Fatalf("user row after deletion: %+v, %v", u, err)
		}
		if _, err := db.UserByPhone(ctx, "+8613800138001"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("the phone still finds the deleted user: %v", err)
		}
		if _, err := db.LoginSession(ctx, "s1", now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("login session kept: %v", err)
		}
		if cs, err := db.Consents(ctx, ann.ID); err != nil || len(cs) != 0 {
			t.Fatalf("consents kept: %v %v", cs, err)
		}
		if c, err := db.Card(ctx, ann.ID); err == nil && c.DisplayName != "" {
			t.Fatalf("card kept: %+v", c)
		}
		if ms, err := db.Messages(ctx, bob.ID, ann.ID, 0, 10); err != nil || len(ms) != 1 {
			t.Fatalf("the message she sent: %v %v", ms, err)
		}
		es, err := db.AuditLog(ctx, storage.AuditQuery{ActorID: ann.ID})
		if err != nil || len(es) != 1 || es[0].IP != "" {
			t.Fatalf("audit after deletion: %+v %v", es, err)
		}
		if again, created, err := db.EnsureUser(ctx, "+8613800138001", now); err != nil || !created || again.ID == ann.ID {
			t.Fatalf("the phone signs up again: %+v %v %v", again, created, err)
		}
	})
}

func TestProofIsSpentOnce(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx, exp := context.Background(), time.Now().Add(10*time.Minute)
		if err := db.SpendProof(ctx, "sig", exp); err != nil {
			t.Fatal(err)
		}
		if err := db.SpendProof(ctx, "sig", exp); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("spent twice: %v", err)
		}
	})
}
