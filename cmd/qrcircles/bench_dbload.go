package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"qrcircles/storage"
)

// dbLoad is what a part of a bench cost PostgreSQL, from its statistics: per join, so that
// docs/scaling.md can say what one database sustains.
type dbLoad struct {
	// Commits counts every committed transaction of the database, read-only ones and the
	// NOTIFYs included.
	CommitsPerJoin  float64 `json:"commits_per_join"`
	RowsPerJoin     float64 `json:"rows_inserted_per_join"`
	WALBytesPerJoin float64 `json:"wal_bytes_per_join"` // of the whole cluster: meaningful on a quiet one
	// EventBytesPerJoin is the growth of the event log (table and indexes) per join.
	EventBytesPerJoin float64 `json:"event_log_bytes_per_join"`
	// NotifiesPerJoin counts the NOTIFYs that woke the instances' LISTEN connections.
	NotifiesPerJoin float64 `json:"notifies_per_join"`
}

type dbCounters struct {
	Commits, Inserted, WAL, EventBytes int64
	Notifies                           int64 `gorm:"-"`
}

// dbSnapshot reads the counters. PostgreSQL backends report their statistics when they end
// a transaction at most once a second, and when idle only every ten seconds; they report
// all of it when they exit. So the pool's idle connections are closed first, and the
// snapshot waits (up to a few seconds) until no backend of the database is left but the
// LISTEN connections and its own. Only the bench's own instance is flushed so:
// with several instances the figures would miss the others', and are not taken.
func dbSnapshot(ctx context.Context, db *storage.DB) (dbCounters, error) {
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		return dbCounters{}, err
	}
	// Idle connections are closed, and so are those returned while this waits (the hub's).
	n := sqlDB.Stats().MaxOpenConnections
	sqlDB.SetMaxIdleConns(0)
	defer sqlDB.SetMaxIdleConns(n)
	g := db.Gorm().WithContext(ctx)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var others int
		err := g.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
			AND query <> ?`, "LISTEN "+storage.EventsChannel).Scan(&others).Error
		if err != nil {
			return dbCounters{}, fmt.Errorf("reading database activity: %w", err)
		}
		if others == 0 {
			break
		}
	}
	var c dbCounters
	err = g.Raw(`SELECT
			(SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
			(SELECT tup_inserted FROM pg_stat_database WHERE datname = current_database()) AS inserted,
			(SELECT (pg_current_wal_lsn() - '0/0')::bigint) AS wal,
			pg_total_relation_size('events') AS event_bytes`).Scan(&c).Error
	if err != nil {
		return c, fmt.Errorf("reading database statistics: %w", err)
	}
	return c, nil
}

// notifyCounter counts the notifications on the events channel, as an instance's LISTEN
// connection receives them.
type notifyCounter struct {
	n    atomic.Int64
	stop func()
}

func countNotifies(ctx context.Context, dsn string) (*notifyCounter, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("counting notifications: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+storage.EventsChannel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("counting notifications: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	nc := &notifyCounter{stop: func() { cancel(); <-done }}
	go func() {
		defer close(done)
		defer conn.Close(context.Background())
		for {
			if _, err := conn.WaitForNotification(ctx); err != nil {
				return
			}
			nc.n.Add(1)
		}
	}()
	return nc, nil
}

// perJoin divides the growth from before to after by n joins.
func perJoin(before, after dbCounters, n int) *dbLoad {
	if n == 0 {
		return nil
	}
	d := func(a, b int64) float64 { return float64(b-a) / float64(n) }
	return &dbLoad{
		CommitsPerJoin: d(before.Commits, after.Commits), RowsPerJoin: d(before.Inserted, after.Inserted),
		WALBytesPerJoin: d(before.WAL, after.WAL), EventBytesPerJoin: d(before.EventBytes, after.EventBytes),
		NotifiesPerJoin: d(before.Notifies, after.Notifies),
	}
}

// dbSnapshot is the database's counters when the figures can be taken: on PostgreSQL, with
// one instance; else nil.
func (cl *benchCluster) dbSnapshot(ctx context.Context) (*dbCounters, error) {
	if cl.notifies == nil {
		return nil, nil
	}
	c, err := dbSnapshot(ctx, cl.db)
	c.Notifies = cl.notifies.n.Load()
	return &c, err
}
