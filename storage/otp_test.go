package storage_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"qrcircles/authz/otp"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

var otpT0 = time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)

func TestRateCounterFollowsAdvance(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		shanghai := time.FixedZone("CST", 8*3600)
		whole := otpT0.Truncate(time.Second) // a start without a fraction of a second
		for _, tc := range []struct {
			name string
			hits []time.Time
		}{
			{"window with a fraction of a second", []time.Time{
				otpT0, otpT0.Add(time.Second), otpT0.Add(time.Minute - time.Microsecond), // 1, 2, 3
				otpT0.Add(time.Minute),                        // exactly one period later: a new window
				otpT0.Add(time.Minute + 500*time.Millisecond), // 2
				otpT0.Add(5 * time.Minute),                    // 1
			}},
			{"window on a whole second", []time.Time{
				whole, whole.Add(59*time.Second + 500*time.Millisecond), whole.Add(60*time.Second + 500*time.Millisecond),
			}},
			{"time given in another zone", []time.Time{
				otpT0.In(shanghai), otpT0.Add(30 * time.Second).In(shanghai), otpT0.Add(time.Minute).In(shanghai),
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var want otp.Window
				for i, now := range tc.hits {
					want = otp.Advance(want, time.Minute, now.UTC())
					got, err := db.HitRateCounter(ctx, tc.name, time.Minute, now)
					if err != nil {
						t.Fatal(err)
					}
					if !got.Start.Equal(want.Start) || got.Count != want.Count {
						t.Fatalf("hit %d at %v: %+v, want %+v", i+1, now, got, want)
					}
				}
			})
		}
	})
}

func TestRateCounterConcurrentHits(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		const n = 20
		counts := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w, err := db.HitRateCounter(context.Background(), "busy", time.Hour, otpT0)
				counts[i], errs[i] = w.Count, err
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(counts)
		for i, c := range counts {
			if c != i+1 {
				t.Fatalf("counts %v, want each of 1..%d once", counts, n)
			}
		}
	})
}

func TestRateCounterHitRolledBack(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		refused := errors.New("refused")
		err := db.InTx(ctx, func(ctx context.Context) error {
			if _, err := db.HitRateCounter(ctx, "k", time.Hour, otpT0); err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatal(err)
		}
		w, err := db.HitRateCounter(ctx, "k", time.Hour, otpT0)
		if err != nil || w.Count != 1 {
			t.Fatalf("after a rolled-back hit: %+v, %v; want count 1", w, err)
		}
	})
}

func otpTestChallenge(id string) otp.Challenge {
	return otp.Challenge{
		ID: id, Phone: "+8613800138000", Provider: "console", CodeHash: []byte{0, 1, 2, 255},
		CreatedAt: otpT0, ExpiresAt: otpT0.Add(5 * time.Minute),
	}
}

func TestOTPChallengeRoundTrip(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		want := otpTestChallenge("c1")
		want.ProviderRef = "VE1"
		if err := db.CreateOTPChallenge(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := db.OTPChallenge(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != want.ID || got.Phone != want.Phone || got.Provider != want.Provider || got.ProviderRef != want.ProviderRef ||
			!bytes.Equal(got.CodeHash, want.CodeHash) || !got.CreatedAt.Equal(want.CreatedAt) ||
			!got.ExpiresAt.Equal(want.ExpiresAt) || got.WrongTries != 0 || !got.UsedAt.IsZero() {
			t.Fatalf("read back %+v, want %+v", got, want)
		}
		if err := db.CreateOTPChallenge(ctx, want); err == nil {
			t.Fatal("a second challenge with the same ID was stored")
		}
		_, err = db.OTPChallenge(ctx, "missing")
		if !errors.Is(err, storage.ErrNotFound) || !errors.Is(err, otp.ErrUnknownChallenge) {
			t.Fatalf("missing challenge: %v", err)
		}
	})
}

func TestRecordWrongOTP(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if err := db.CreateOTPChallenge(ctx, otpTestChallenge("c1")); err != nil {
			t.Fatal(err)
		}
		for want := 1; want <= 3; want++ {
			if got, err := db.RecordWrongOTP(ctx, "c1"); err != nil || got != want {
				t.Fatalf("RecordWrongOTP = %d, %v; want %d", got, err, want)
			}
		}
		if c, _ := db.OTPChallenge(ctx, "c1"); c.WrongTries != 3 {
			t.Fatalf("stored wrong tries %d, want 3", c.WrongTries)
		}
		if _, err := db.RecordWrongOTP(ctx, "missing"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing challenge: %v", err)
		}
	})
}

func TestUseOTPChallengeOnce(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if err := db.CreateOTPChallenge(ctx, otpTestChallenge("c1")); err != nil {
			t.Fatal(err)
		}
		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.UseOTPChallenge(ctx, "c1", otpT0.Add(time.Minute))
			}()
		}
		wg.Wait()
		succeeded := 0
		for _, err := range errs {
			switch {
			case err == nil:
				succeeded++
			case !errors.Is(err, otp.ErrUsed):
				t.Fatalf("second use: %v, want otp.ErrUsed", err)
			}
		}
		if succeeded != 1 {
			t.Fatalf("%d of %d uses succeeded, want 1", succeeded, n)
		}
		if c, _ := db.OTPChallenge(ctx, "c1"); !c.UsedAt.Equal(otpT0.Add(time.Minute)) {
			t.Fatalf("UsedAt = %v", c.UsedAt)
		}
		if err := db.UseOTPChallenge(ctx, "missing", otpT0); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing challenge: %v", err)
		}
	})
}

// TestOTPChallengeLocksOnPostgres shows that a check of a challenge inside a transaction waits
// for another one in progress, so that it sees the other's wrong try.
func TestOTPChallengeLocksOnPostgres(t *testing.T) {
	db := storagetest.Postgres(t)
	ctx := context.Background()
	if err := db.CreateOTPChallenge(ctx, otpTestChallenge("c1")); err != nil {
		t.Fatal(err)
	}
	second := make(chan otp.Challenge, 1)
	err := db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.OTPChallenge(ctx, "c1"); err != nil {
			return err
		}
		go func() {
			var c otp.Challenge
			_ = db.InTx(context.Background(), func(ctx context.Context) (err error) {
				c, err = db.OTPChallenge(ctx, "c1")
				return err
			})
			second <- c
		}()
		waitForOTPLockWaiter(t, db)
		_, err := db.RecordWrongOTP(ctx, "c1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := <-second; c.WrongTries != 1 {
		t.Fatalf("the second transaction read %d wrong tries, want 1 (it did not wait)", c.WrongTries)
	}
}

// waitForOTPLockWaiter returns once a session of the test database waits for a row lock.
func waitForOTPLockWaiter(t *testing.T, db *storage.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int64
		err := db.Gorm().Raw(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n).Error
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no transaction waited for the challenge's row lock")
}

func TestPurgeOTP(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		old, fresh := otpTestChallenge("old"), otpTestChallenge("fresh")
		fresh.ExpiresAt = otpT0.Add(2 * time.Hour)
		for _, c := range []otp.Challenge{old, fresh} {
			if err := db.CreateOTPChallenge(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		for key, at := range map[string]time.Time{"old": otpT0, "fresh": otpT0.Add(2 * time.Hour)} {
			if _, err := db.HitRateCounter(ctx, key, time.Hour, at); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.PurgeOTP(ctx, otpT0.Add(time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("PurgeOTP = %d, %v; want 2 rows", n, err)
		}
		if _, err := db.OTPChallenge(ctx, "old"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("old challenge: %v", err)
		}
		if _, err := db.OTPChallenge(ctx, "fresh"); err != nil {
			t.Fatalf("fresh challenge: %v", err)
		}
		if w, _ := db.HitRateCounter(ctx, "old", time.Hour, otpT0.Add(30*time.Minute)); w.Count != 1 {
			t.Fatalf("old counter survived the purge: %+v", w)
		}
		if w, _ := db.HitRateCounter(ctx, "fresh", time.Hour, otpT0.Add(2*time.Hour)); w.Count != 2 {
			t.Fatalf("fresh counter was purged: %+v", w)
		}
	})
}
