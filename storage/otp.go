package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"qrcircles"
)

// otpTime is how a moment is stored: in UTC (SQLite compares the text) and to the
// microsecond (PostgreSQL keeps no more), so that both databases give back what was written.
func otpTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// HitRateCounter counts one hit on the fixed-window counter key and returns the window after
// the hit, as the OTP rules' Advance would: the first hit, or the first hit at or after the window's
// start plus period, opens a new window. One statement does it, so concurrent hits from any
// number of instances each get their own count.
func (db *DB) HitRateCounter(ctx context.Context, key string, period time.Duration, now time.Time) (qrcircles.RateWindow, error) {
	now = otpTime(now)
	closed := now.Add(-period) // a window that started at or before this has passed
	var rows []struct {
		WindowStart time.Time
		Hits        int
	}
	err := db.conn(ctx).Raw(`INSERT INTO rate_counters (key, window_start, hits) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN rate_counters.window_start <= ? THEN 1 ELSE rate_counters.hits + 1 END,
			window_start = CASE WHEN rate_counters.window_start <= ? THEN excluded.window_start ELSE rate_counters.window_start END
		RETURNING window_start, hits`, key, now, closed, closed).Scan(&rows).Error
	if err != nil {
		return qrcircles.RateWindow{}, fmt.Errorf("rate counter %q: %w", key, err)
	}
	if len(rows) != 1 {
		return qrcircles.RateWindow{}, fmt.Errorf("rate counter %q: the upsert returned %d rows", key, len(rows))
	}
	return qrcircles.RateWindow{Start: rows[0].WindowStart.UTC(), Count: rows[0].Hits}, nil
}

type otpChallengeRow struct {
	ID          string `gorm:"primaryKey"`
	Phone       string
	Provider    string
	CodeHash    []byte
	ProviderRef string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	WrongTries  int
	UsedAt      *time.Time
}

func (otpChallengeRow) TableName() string { return "otp_challenges" }

// CreateOTPChallenge stores a new challenge.
func (db *DB) CreateOTPChallenge(ctx context.Context, c qrcircles.OTPChallenge) error {
	row := otpChallengeRow{
		ID: c.ID, Phone: c.Phone, Provider: c.Provider, CodeHash: c.CodeHash, ProviderRef: c.ProviderRef,
		CreatedAt: otpTime(c.CreatedAt), ExpiresAt: otpTime(c.ExpiresAt), WrongTries: c.WrongTries,
	}
	if !c.UsedAt.IsZero() {
		used := otpTime(c.UsedAt)
		row.UsedAt = &used
	}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("storing otp challenge: %w", err)
	}
	return nil
}

// OTPChallenge returns the challenge with this ID. On PostgreSQL the row is locked for update,
// so that inside a transaction concurrent checks of one challenge take turns (SQLite runs one
// writing transaction at a time anyway).
func (db *DB) OTPChallenge(ctx context.Context, id string) (qrcircles.OTPChallenge, error) {
	if unstorable(id) {
		return qrcircles.OTPChallenge{}, errNoChallenge()
	}
	q := db.conn(ctx)
	if db.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row otpChallengeRow
	err := q.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return qrcircles.OTPChallenge{}, errNoChallenge()
	}
	if err != nil {
		return qrcircles.OTPChallenge{}, fmt.Errorf("otp challenge: %w", err)
	}
	c := qrcircles.OTPChallenge{
		ID: row.ID, Phone: row.Phone, Provider: row.Provider, CodeHash: row.CodeHash, ProviderRef: row.ProviderRef,
		CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC(), WrongTries: row.WrongTries,
	}
	if row.UsedAt != nil {
		c.UsedAt = row.UsedAt.UTC()
	}
	return c, nil
}

// RecordWrongOTP counts one wrong code against the challenge and returns how many there
// have been.
func (db *DB) RecordWrongOTP(ctx context.Context, id string) (int, error) {
	var tries []int
	err := db.conn(ctx).Raw(`UPDATE otp_challenges SET wrong_tries = wrong_tries + 1 WHERE id = ? RETURNING wrong_tries`, id).
		Scan(&tries).Error
	if err != nil {
		return 0, fmt.Errorf("recording a wrong otp: %w", err)
	}
	if len(tries) == 0 {
		return 0, errNoChallenge()
	}
	return tries[0], nil
}

// UseOTPChallenge marks the challenge used at now. It succeeds once: afterwards it returns an
// error wrapping qrcircles.ErrOTPUsed.
func (db *DB) UseOTPChallenge(ctx context.Context, id string, now time.Time) error {
	res := db.conn(ctx).Exec(`UPDATE otp_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL`, otpTime(now), id)
	if res.Error != nil {
		return fmt.Errorf("using otp challenge: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var n int64
	if err := db.conn(ctx).Model(&otpChallengeRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return fmt.Errorf("using otp challenge: %w", err)
	}
	if n == 0 {
		return errNoChallenge()
	}
	return fmt.Errorf("using otp challenge: %w", qrcircles.ErrOTPUsed)
}

// PurgeOTP deletes the challenges that expired before the given time and the rate counters
// whose window opened before it. Pass a time older than the longest limit period.
func (db *DB) PurgeOTP(ctx context.Context, before time.Time) (int64, error) {
	before = otpTime(before)
	var deleted int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Where("expires_at < ?", before).Delete(&otpChallengeRow{})
		if res.Error != nil {
			return res.Error
		}
		deleted = res.RowsAffected
		res = db.conn(ctx).Exec(`DELETE FROM rate_counters WHERE window_start < ?`, before)
		deleted += res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("purging otp challenges and rate counters: %w", err)
	}
	return deleted, nil
}

func errNoChallenge() error {
	return fmt.Errorf("otp challenge: %w: %w", ErrNotFound, qrcircles.ErrOTPUnknown)
}
