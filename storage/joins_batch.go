package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Guessed joins on PostgreSQL are committed in batches: the calls of join_guessed that wait
// while a batch is in flight go together in the next one, one transaction and one round
// trip for all of them. A join that arrives while fewer batches are in flight than may be
// goes at once, alone on a quiet instance: batches form only under load, and no join waits
// for a timer. Commits are what limit a PostgreSQL primary first (docs/scaling.md): a
// batch of n joins commits once.
//
// A call in a batch waits for no lock that another transaction holds (join_guessed's waits
// argument): a lock it would wait for, it reports as busy, and that join runs again alone
// once the batch committed, waiting as a join alone does. A batch holding the locks of its
// earlier calls thus never waits for a transaction that waits for it. The calls go in the
// order of the person, so two batches that hold rows of the same people took them in the
// same order. When the batch fails as a whole, each of its joins runs again alone.

// At most maxBatch joins go in a batch, and at most a tenth of the pool's connections (at
// least two) carry batches at once: on two cores, two batches in flight joined the most
// people per second (docs/benchmarks.md); more of them, each smaller, commit more often.
const maxBatch = 64

type joinBatcher struct {
	mu       sync.Mutex
	waiting  []*batchedJoin
	inFlight int
	most     int
	stats    struct{ batches, joins, failed, busy atomic.Uint64 }
}

// JoinBatchStats counts the batches of joins sent since the start: the batches, the joins
// in them, the batches that failed as a whole, and the joins that ran again alone because
// a lock they needed was held elsewhere.
type JoinBatchStats struct {
	Batches uint64 `json:"batches"`
	Joins   uint64 `json:"joins"`
	Failed  uint64 `json:"failed"`
	Busy    uint64 `json:"busy"`
}

// Since is what s counted after earlier.
func (s JoinBatchStats) Since(earlier JoinBatchStats) JoinBatchStats {
	return JoinBatchStats{Batches: s.Batches - earlier.Batches, Joins: s.Joins - earlier.Joins,
		Failed: s.Failed - earlier.Failed, Busy: s.Busy - earlier.Busy}
}

// JoinBatches tells how the guessed joins were batched so far (none on SQLite).
func (db *DB) JoinBatches() JoinBatchStats {
	if db.dialect != Postgres {
		return JoinBatchStats{}
	}
	st := &db.batcher().stats
	return JoinBatchStats{Batches: st.batches.Load(), Joins: st.joins.Load(), Failed: st.failed.Load(), Busy: st.busy.Load()}
}

type batchedJoin struct {
	ctx  context.Context
	user int64
	call step
	done chan error
}

// errJoinBatch marks a batch that failed as a whole: its joins run again alone.
var errJoinBatch = errors.New("the batch of joins failed")

// batched runs the call of join_guessed for userID in the next batch, and returns once the
// batch committed (nil) or failed (an error wrapping errJoinBatch).
func (db *DB) batched(ctx context.Context, userID int64, call step) error {
	b := db.batcher()
	j := &batchedJoin{ctx: ctx, user: userID, call: call, done: make(chan error, 1)}
	b.mu.Lock()
	b.waiting = append(b.waiting, j)
	b.mu.Unlock()
	b.startSender(db)
	return <-j.done
}

// startSender starts sending batches unless as many are in flight as may be.
func (b *joinBatcher) startSender(db *DB) {
	b.mu.Lock()
	start := len(b.waiting) > 0 && b.inFlight < b.most
	if start {
		b.inFlight++
	}
	b.mu.Unlock()
	if start {
		go b.send(db)
	}
}

func (db *DB) batcher() *joinBatcher {
	db.joinsOnce.Do(func() {
		conns := 0
		if sqlDB, err := db.gorm.DB(); err == nil {
			conns = sqlDB.Stats().MaxOpenConnections
		}
		db.joins = &joinBatcher{most: max(2, conns/10)}
	})
	return db.joins
}

// send sends batches until no join waits.
func (b *joinBatcher) send(db *DB) {
	for {
		b.mu.Lock()
		n := min(len(b.waiting), maxBatch)
		if n == 0 {
			b.inFlight--
			b.mu.Unlock()
			return
		}
		batch := slices.Clone(b.waiting[:n])
		b.waiting = slices.Delete(b.waiting, 0, n)
		b.mu.Unlock()
		err := db.sendBatch(batch)
		b.stats.batches.Add(1)
		b.stats.joins.Add(uint64(len(batch)))
		if err != nil {
			b.stats.failed.Add(1)
		}
		for _, j := range batch {
			j.done <- err
		}
	}
}

// sendBatch runs the joins of batch in one transaction. Its context ends when the last of
// their requests ended.
func (db *DB) sendBatch(batch []*batchedJoin) error {
	slices.SortStableFunc(batch, func(a, b *batchedJoin) int { return cmp.Compare(a.user, b.user) })
	ctx, cancel := context.WithCancel(context.WithoutCancel(batch[0].ctx))
	defer cancel()
	var left atomic.Int32
	left.Store(int32(len(batch)))
	for _, j := range batch {
		stop := context.AfterFunc(j.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		})
		defer stop()
	}
	err := db.onPgConn(ctx, func(pg *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		for _, j := range batch {
			s := j.call
			b.Queue(numbered(s.sql), s.args...).Query(func(rows pgx.Rows) error { return scanAll(rows, s.scan) })
		}
		b.Queue("COMMIT")
		return pg.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("%w: %w", errJoinBatch, err)
	}
	return nil
}
