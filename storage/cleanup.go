package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// How long rows outlive their use before Cleanup deletes them.
const (
	// PendingScanRetention is longer than the 30 minutes a pending scan is honoured for.
	PendingScanRetention = time.Hour
	// OTPRetention is longer than the longest OTP rate-limit period (a circle's day), so that
	// no open rate window is dropped.
	OTPRetention = 25 * time.Hour
	// EventRetention matches the push hub's default replay window.
	EventRetention = 25 * time.Hour
)

// CleanupReport says how many rows one Cleanup deleted, by kind.
type CleanupReport struct {
	OAuthSessions int64
	LoginSessions int64
	OTP           int64 // challenges and rate counters
	PendingScans  int64
	Events        int64
	Audit         int64 // audit entries older than the audit retention
	Passkeys      int64 // passkey ceremonies begun and never finished
}

// Total is the number of rows deleted.
func (r CleanupReport) Total() int64 {
	return r.OAuthSessions + r.LoginSessions + r.OTP + r.PendingScans + r.Events + r.Audit + r.Passkeys
}

// Cleanup deletes every expired token, code, session, challenge and old event, and the audit
// entries older than auditRetention. Each step is a plain DELETE … WHERE, so any number of
// instances may run it at once: a row is deleted by whichever gets it first and counted there
// only. A failing step does not stop the others.
func (db *DB) Cleanup(ctx context.Context, now time.Time, auditRetention time.Duration) (CleanupReport, error) {
	var r CleanupReport
	steps := []struct {
		n   *int64
		run func() (int64, error)
	}{
		{&r.OAuthSessions, func() (int64, error) { return db.DeleteExpiredOAuthSessions(ctx, now) }},
		{&r.LoginSessions, func() (int64, error) { return db.DeleteExpiredLoginSessions(ctx, now) }},
		{&r.OTP, func() (int64, error) { return db.PurgeOTP(ctx, now.Add(-OTPRetention)) }},
		{&r.PendingScans, func() (int64, error) { return db.DeleteExpiredPendingScans(ctx, now.Add(-PendingScanRetention)) }},
		{&r.Events, func() (int64, error) { return db.DeleteEventsBefore(ctx, now.Add(-EventRetention)) }},
		{&r.Passkeys, func() (int64, error) { return db.DeleteExpiredPasskeyCeremonies(ctx, now) }},
		{&r.Audit, func() (int64, error) {
			if auditRetention <= 0 { // would delete the whole log
				return 0, fmt.Errorf("audit retention must be positive, got %s", auditRetention)
			}
			return db.DeleteAuditBefore(ctx, now.Add(-auditRetention))
		}},
	}
	var errs []error
	for _, s := range steps {
		n, err := s.run()
		*s.n = n
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

// DeleteExpiredLoginSessions deletes the login sessions that expired at or before now.
func (db *DB) DeleteExpiredLoginSessions(ctx context.Context, now time.Time) (int64, error) {
	res := db.conn(ctx).Exec(`DELETE FROM login_sessions WHERE expires_at <= ?`, now.UTC())
	if res.Error != nil {
		return 0, fmt.Errorf("deleting expired login sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// DeleteExpiredPendingScans deletes the pending scans created before the given time.
func (db *DB) DeleteExpiredPendingScans(ctx context.Context, before time.Time) (int64, error) {
	res := db.conn(ctx).Exec(`DELETE FROM pending_scans WHERE created_at < ?`, before.UTC())
	if res.Error != nil {
		return 0, fmt.Errorf("deleting expired pending scans: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// RunCleanup runs Cleanup at once and then every period until ctx ends, logging what it
// deleted. Every instance may run it.
func RunCleanup(ctx context.Context, db *DB, every, auditRetention time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r, err := db.Cleanup(ctx, time.Now(), auditRetention)
		if err != nil && ctx.Err() == nil {
			log.Warn("cleaning up expired rows", "error", err)
		}
		if r.Total() > 0 {
			log.Info("cleaned up expired rows", "oauth_sessions", r.OAuthSessions, "login_sessions", r.LoginSessions,
				"otp", r.OTP, "pending_scans", r.PendingScans, "events", r.Events, "audit", r.Audit)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
