package settingsvc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/settingsvc"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

var now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// failingAudit is the database with an audit log that refuses every entry.
type failingAudit struct{ *storage.DB }

func (failingAudit) AddAudit(context.Context, qrcircles.AuditEntry) error {
	return errors.New("audit log down")
}

func settingsEntries(t *testing.T, db *storage.DB) []qrcircles.AuditEntry {
	t.Helper()
	es, err := db.AuditLog(context.Background(), storage.AuditQuery{Action: qrcircles.AuditSettingsChange})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestRefuseAllCirclesIsAuditedWithTheChange: every change of refuse_all_circles leaves one
// entry naming the person, the new value and the address; when the entry cannot be written
// the change is not made either, and the caller hears of it.
func TestRefuseAllCirclesIsAuditedWithTheChange(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		u, _, err := db.EnsureUser(ctx, "+8613800138001", now)
		if err != nil {
			t.Fatal(err)
		}
		svc := &settingsvc.Service{Store: db, Now: func() time.Time { return now }}
		if err := svc.SetRefuseAllCircles(ctx, u.ID, true, "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		es := settingsEntries(t, db)
		if len(es) != 1 || es[0].ActorID != u.ID || es[0].IP != "192.0.2.7" || es[0].Detail != `{"refuse_all_circles":"true"}` {
			t.Fatalf("entries %+v", es)
		}
		if on, _ := svc.RefusesAllCircles(ctx, u.ID); !on {
			t.Fatal("the setting was not saved")
		}

		broken := &settingsvc.Service{Store: failingAudit{db}, Now: func() time.Time { return now }}
		if err := broken.SetRefuseAllCircles(ctx, u.ID, false, "192.0.2.7"); err == nil {
			t.Fatal("a change whose audit entry failed was reported as done")
		}
		if on, _ := svc.RefusesAllCircles(ctx, u.ID); !on {
			t.Fatal("the setting changed without its audit entry")
		}
		if es := settingsEntries(t, db); len(es) != 1 {
			t.Fatalf("entries after the failed change %+v", es)
		}
	})
}
