package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// batchWorld joins people to circles on PostgreSQL with guessed joins, as the API does,
// several at once.
type batchWorld struct {
	*cardWorld
	org int64
}

func (w *batchWorld) circle(r qrcircles.Rules) storage.Circle {
	w.t.Helper()
	c := storage.Circle{Code: fmt.Sprintf("batch-%d", w.now.UnixNano()), OwnerID: w.org, Title: "Batch", TimeZone: "UTC",
		Rules: r, CreatedAt: w.now, UpdatedAt: w.now}
	w.now = w.now.Add(time.Second)
	if err := w.db.CreateCircle(w.ctx, &c, nil); err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *batchWorld) people(from, n int) []storage.User {
	w.t.Helper()
	var us []storage.User
	for i := range n {
		u, err := w.db.User(w.ctx, w.user(from+i))
		if err != nil {
			w.t.Fatal(err)
		}
		us = append(us, u)
	}
	return us
}

// join is the guessed join of u to c: admitted, or waiting when the facts say the circle
// is full or the person excluded.
func (w *batchWorld) join(c storage.Circle, u storage.User) (storage.JoinOutcome, error) {
	q := storage.JoinRequest{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, ScanTime: w.now, Status: storage.RequestAdmitted}
	guess := storage.JoinWrite{Request: q, Member: true, At: w.now,
		Events: []storage.Event{{CircleID: c.ID, SubjectID: u.ID, Type: qrcircles.EventMemberJoined}}}
	k := storage.JoinKey{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, Seat: c.Rules.Cap > 0,
		Guess: &storage.JoinGuess{Facts: storage.JoinFacts{Circle: c}, Write: guess}}
	return w.db.Join(w.ctx, k, func(f storage.JoinFacts) (*storage.JoinWrite, error) {
		if f.Previous != nil {
			return nil, nil
		}
		if f.Excluded || (f.Circle.Rules.Cap > 0 && f.Members >= f.Circle.Rules.Cap) {
			q.Status = storage.RequestWaiting
			return &storage.JoinWrite{Request: q, At: w.now}, nil
		}
		return &guess, nil
	})
}

type joined struct {
	out storage.JoinOutcome
	err error
}

// together joins each of us to c at once, while the batches are held, and releases them
// once all of the joins wait for one: they go in one batch.
func (w *batchWorld) together(c storage.Circle, us []storage.User) []joined {
	w.t.Helper()
	release := storage.HoldJoinBatches(w.db)
	res := make([]joined, len(us))
	var wg sync.WaitGroup
	for i, u := range us {
		wg.Go(func() {
			out, err := w.join(c, u)
			res[i] = joined{out, err}
		})
	}
	waitFor(w.t, "the joins to wait for a batch", func() bool { return storage.JoinsWaiting(w.db) == len(us) })
	release()
	wg.Wait()
	return res
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}

func members(res []joined) (n int) {
	for _, r := range res {
		if r.out.Member {
			n++
		}
	}
	return n
}

// TestJoinsInABatch: guessed joins that arrive together on PostgreSQL commit as one batch,
// each as it would alone: a repeat finds the first, an exclusion and a cap hold within the
// batch, a join that fails sends the others alone, and a join whose lock is held elsewhere
// runs alone and waits for it.
func TestJoinsInABatch(t *testing.T) {
	db := storagetest.Postgres(t)
	w := &batchWorld{cardWorld: newCardWorld(t, db)}
	w.org = w.user(1)
	stats := func() storage.JoinBatchStats { return db.JoinBatches() }

	t.Run("one batch", func(t *testing.T) {
		w.t = t
		c, us := w.circle(qrcircles.Rules{}), w.people(100, 12)
		before := stats()
		res := w.together(c, us)
		for i, r := range res {
			if r.err != nil || !r.out.Member || r.out.Request.ID == 0 {
				t.Errorf("join %d: %+v, %v", i, r.out, r.err)
			}
		}
		if got := stats(); got.Batches-before.Batches != 1 || got.Joins-before.Joins != uint64(len(us)) {
			t.Errorf("batches %+v after %+v: want one batch of %d", got, before, len(us))
		}
		if n, err := db.MemberCount(w.ctx, c.ID); err != nil || n != len(us) {
			t.Errorf("%d members (%v), want %d", n, err, len(us))
		}
	})

	t.Run("one person twice", func(t *testing.T) {
		w.t = t
		c, us := w.circle(qrcircles.Rules{}), w.people(200, 1)
		res := w.together(c, []storage.User{us[0], us[0]})
		if res[0].err != nil || res[1].err != nil || !res[0].out.Member || !res[1].out.Member ||
			res[0].out.Request.ID != res[1].out.Request.ID {
			t.Errorf("the same person twice in a batch: %+v", res)
		}
		if n, err := db.MemberCount(w.ctx, c.ID); err != nil || n != 1 {
			t.Errorf("%d members (%v), want 1", n, err)
		}
	})

	t.Run("an exclusion within the batch", func(t *testing.T) {
		w.t = t
		c, us := w.circle(qrcircles.Rules{}), w.people(300, 6)
		// 300 excludes 301, 302 excludes 303, 304 excludes 305.
		for i := 0; i < len(us); i += 2 {
			if _, err := db.CreateExclusion(w.ctx, us[i].ID, us[i].Phone, us[i+1].Phone, w.now); err != nil {
				t.Fatal(err)
			}
		}
		res := w.together(c, us)
		for i := 0; i < len(us); i += 2 {
			if res[i].err != nil || res[i+1].err != nil || res[i].out.Member == res[i+1].out.Member {
				t.Errorf("pair %d: %+v / %+v; want exactly one a member", i/2, res[i], res[i+1])
			}
		}
	})

	t.Run("a cap within the batch", func(t *testing.T) {
		w.t = t
		c, us := w.circle(qrcircles.Rules{Cap: 3}), w.people(400, 7)
		res := w.together(c, us)
		for i, r := range res {
			if r.err != nil {
				t.Errorf("join %d: %v", i, r.err)
			}
		}
		n, err := db.MemberCount(w.ctx, c.ID)
		if got := members(res); got != 3 || err != nil || n != 3 {
			t.Errorf("%d said members, %d stored (%v); want the cap, 3", got, n, err)
		}
	})

	t.Run("a failing join", func(t *testing.T) {
		w.t = t
		c, us := w.circle(qrcircles.Rules{}), w.people(500, 5)
		gone := storage.User{ID: us[len(us)-1].ID + 1_000_000, Phone: "+8613999999999"} // no such user
		before := stats()
		res := w.together(c, append(us, gone))
		if got := stats(); got.Failed-before.Failed != 1 {
			t.Errorf("batches %+v after %+v: want the batch failed", got, before)
		}
		if res[len(us)].err == nil {
			t.Error("the join of nobody succeeded")
		}
		if got := members(res[:len(us)]); got != len(us) {
			t.Errorf("%d of the others joined, want %d: %+v", got, len(us), res)
		}
	})

	t.Run("a lock held elsewhere", func(t *testing.T) {
		w.t = t
		c, us := w.circle(qrcircles.Rules{}), w.people(600, 1)
		u := us[0]
		// Another transaction holds the phone's lock, as the creation of an exclusion does.
		conn, err := pgx.Connect(w.ctx, storagetest.URLOf(t, db))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		tx, err := conn.Begin(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(w.ctx, "SELECT pg_advisory_xact_lock($1)", storage.PhoneLockKey(u.Phone)); err != nil {
			t.Fatal(err)
		}
		before := stats()
		done := make(chan joined, 1)
		go func() {
			out, err := w.join(c, u)
			done <- joined{out, err}
		}()
		// The batch does not wait: the join goes alone and waits for the lock, which it
		// could not do without it.
		waitFor(t, "the join to wait for the lock alone", func() bool {
			var n int
			err := db.Gorm().Raw(`SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory'
				AND query LIKE '%join_guessed%'`).Scan(&n).Error
			return err == nil && n == 1
		})
		if got := stats(); got.Busy-before.Busy != 1 || got.Failed != before.Failed {
			t.Errorf("batches %+v after %+v: want one busy join", got, before)
		}
		select {
		case r := <-done:
			t.Fatalf("the join ended while the lock was held: %+v", r)
		default:
		}
		if err := tx.Commit(w.ctx); err != nil {
			t.Fatal(err)
		}
		if r := <-done; r.err != nil || !r.out.Member {
			t.Errorf("after the lock: %+v", r)
		}
	})
}

// TestBatchedJoinsOnADatabaseOfBefore: migration 30 replaces the join_guessed and
// claim_seat of a database migrated before joins were batched, and joins work there.
func TestBatchedJoinsOnADatabaseOfBefore(t *testing.T) {
	db := storagetest.Postgres(t)
	w := &batchWorld{cardWorld: newCardWorld(t, db)}
	w.org = w.user(1)
	g := db.Gorm()
	// The database as migration 29 left it: the functions without their waits argument.
	for _, stmt := range []string{
		`DROP FUNCTION join_guessed`, `DROP FUNCTION claim_seat`,
		`CREATE FUNCTION claim_seat(c bigint, u bigint) RETURNS void LANGUAGE sql AS 'SELECT'`,
		`CREATE FUNCTION join_guessed(c bigint, u bigint, ph text, phone_key bigint, claim boolean,
			g_version bigint, g_below boolean, g_excluded boolean, g_refuses boolean, g_listed boolean,
			q_phone text, q_scan timestamptz, q_status text, q_reasons text, q_decided_by bigint, q_decided_at timestamptz,
			q_at timestamptz, q_member boolean, evs text) RETURNS TABLE (req_id bigint, req_created_at timestamptz, facts text)
			LANGUAGE sql AS 'SELECT NULL::bigint, NULL::timestamptz, NULL::text'`,
		`DELETE FROM schema_migrations WHERE version = 30`,
	} {
		if err := g.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	if applied, err := db.Migrate(w.ctx); err != nil || len(applied) != 1 || applied[0] != 30 {
		t.Fatalf("migrated %v, %v; want 30", applied, err)
	}
	var args []int
	if err := g.Raw(`SELECT pronargs FROM pg_proc WHERE proname IN ('join_guessed', 'claim_seat') ORDER BY proname`).
		Scan(&args).Error; err != nil || len(args) != 2 || args[0] != 3 || args[1] != 20 {
		t.Fatalf("the functions take %v arguments (%v); want claim_seat 3, join_guessed 20", args, err)
	}
	c := w.circle(qrcircles.Rules{Cap: 2})
	res := w.together(c, w.people(100, 3))
	if got := members(res); got != 2 {
		t.Errorf("%d members of a cap of 2: %+v", got, res)
	}
}
