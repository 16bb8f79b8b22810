package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

var cleanupNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// cleanupAuditRetention is the audit retention the tests clean up with.
const cleanupAuditRetention = 30 * 24 * time.Hour

// seedCleanup stores expired and live rows of every kind Cleanup handles and returns the
// report a single Cleanup at cleanupNow must give.
func seedCleanup(t *testing.T, db *storage.DB) storage.CleanupReport {
	t.Helper()
	ctx, now := context.Background(), cleanupNow
	u, _, err := db.EnsureUser(ctx, "+8613800138009", now.Add(-48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for id, exp := range map[string]time.Time{"gone1": now.Add(-time.Hour), "gone2": now, "live": now.Add(time.Minute)} {
		must(db.CreateLoginSession(ctx, qrcircles.LoginSession{IDHash: id, UserID: u.ID, CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: exp}))
	}
	for id, at := range map[string]time.Time{"old": now.Add(-3 * time.Hour), "fresh": now.Add(-10 * time.Minute)} {
		must(db.CreateOTPChallenge(ctx, qrcircles.OTPChallenge{ID: id, Phone: "+8613800138009", Provider: "console",
			CodeHash: []byte{1}, CreatedAt: at, ExpiresAt: at.Add(5 * time.Minute)}))
		_, err := db.HitRateCounter(ctx, "send:phone:"+id, time.Hour, at)
		must(err)
	}
	for id, at := range map[string]time.Time{"old": now.Add(-2 * time.Hour), "live": now.Add(-10 * time.Minute)} {
		must(db.CreatePendingScan(ctx, qrcircles.PendingScan{StateHash: id, BindingHash: "b", Verifier: "v",
			CircleURL: "https://x.example/c/1", ScanTime: at, CreatedAt: at}))
	}
	for _, at := range []time.Time{now.Add(-26 * time.Hour), now.Add(-25*time.Hour - time.Second), now.Add(-time.Hour)} {
		must(db.AppendEvents(ctx, storage.Event{RecipientID: u.ID, Type: "test", Payload: []byte(`{}`), CreatedAt: at}))
	}
	for _, at := range []time.Time{now.Add(-31 * 24 * time.Hour), now.Add(-cleanupAuditRetention - time.Second),
		now.Add(-cleanupAuditRetention), now.Add(-time.Hour)} {
		must(db.AddAudit(ctx, storage.AuditEntry{At: at, Action: "login", ActorID: u.ID}))
	}
	return storage.CleanupReport{LoginSessions: 2, OTP: 2, PendingScans: 1, Events: 2, Audit: 2}
}

// checkLiveRowsKept fails the test when Cleanup took a row that is still in use.
func checkLiveRowsKept(t *testing.T, db *storage.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.LoginSession(ctx, "live", cleanupNow); err != nil {
		t.Errorf("live login session: %v", err)
	}
	if _, err := db.OTPChallenge(ctx, "fresh"); err != nil {
		t.Errorf("fresh otp challenge: %v", err)
	}
	if w, err := db.HitRateCounter(ctx, "send:phone:fresh", time.Hour, cleanupNow); err != nil || w.Count != 2 {
		t.Errorf("fresh rate counter: %+v %v", w, err)
	}
	if _, err := db.PendingScan(ctx, "live"); err != nil {
		t.Errorf("live pending scan: %v", err)
	}
	if evs, err := db.EventsAfter(ctx, 0, 10); err != nil || len(evs) != 1 {
		t.Errorf("events left: %d %v", len(evs), err)
	}
	es, err := db.AuditLog(ctx, storage.AuditQuery{})
	if err != nil || len(es) != 2 || !es[1].At.Equal(cleanupNow.Add(-cleanupAuditRetention)) {
		t.Errorf("audit entries left: %+v %v; want the two within the retention", es, err)
	}
}

func TestCleanupDeletesOnlyExpiredRows(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		want := seedCleanup(t, db)
		got, err := db.Cleanup(context.Background(), cleanupNow, cleanupAuditRetention)
		if err != nil || got != want {
			t.Fatalf("Cleanup = %+v, %v; want %+v", got, err, want)
		}
		again, err := db.Cleanup(context.Background(), cleanupNow, cleanupAuditRetention)
		if err != nil || again.Total() != 0 {
			t.Fatalf("second Cleanup = %+v, %v; want nothing", again, err)
		}
		checkLiveRowsKept(t, db)
	})
}

func TestCleanupKeepsTheAuditLogWithoutAPositiveRetention(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if err := db.AddAudit(ctx, storage.AuditEntry{At: cleanupNow.Add(-time.Hour), Action: "login"}); err != nil {
			t.Fatal(err)
		}
		for _, retention := range []time.Duration{0, -time.Hour} {
			r, err := db.Cleanup(ctx, cleanupNow, retention)
			if err == nil || r.Audit != 0 {
				t.Errorf("retention %s: %+v, %v; want an error and nothing deleted", retention, r, err)
			}
		}
		if es, err := db.AuditLog(ctx, storage.AuditQuery{}); err != nil || len(es) != 1 {
			t.Fatalf("audit log after cleanups without retention: %+v %v", es, err)
		}
	})
}

func TestConcurrentCleanupOnPostgres(t *testing.T) {
	db := storagetest.Postgres(t)
	want := seedCleanup(t, db)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		summed  storage.CleanupReport
		errs    []error
		barrier = make(chan struct{})
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-barrier
			r, err := db.Cleanup(context.Background(), cleanupNow, cleanupAuditRetention)
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
			summed.LoginSessions += r.LoginSessions
			summed.OTP += r.OTP
			summed.PendingScans += r.PendingScans
			summed.Events += r.Events
			summed.OAuthSessions += r.OAuthSessions
			summed.Audit += r.Audit
		}()
	}
	close(barrier)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if summed != want {
		t.Fatalf("the instances together deleted %+v; want each expired row once: %+v", summed, want)
	}
	checkLiveRowsKept(t, db)
}
