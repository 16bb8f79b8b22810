package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"qrcircles"
	"qrcircles/config"
	"qrcircles/resource/circles"
	"qrcircles/storage"
)

// joinFloorFirst measures the floor of bench join before the real run, into r: the same
// people, at the same concurrency, against the same database, doing only the SQL that a join
// cannot do without, into a circle of their own (so that the real run starts from the same
// state). The floor's events are fanned out before the real run, so that it does not pay
// for them.
func (cl *benchCluster) joinFloorFirst(ctx context.Context, cfg config.Config, f benchFlags, orgID int64, run int, people []benchPerson, r *joinResult, log *slog.Logger) error {
	title := fmt.Sprintf("bench join floor %04d", run)
	c, err := cl.app.circles.Create(ctx, orgID, circles.Input{Title: &title})
	if err != nil {
		return err
	}
	r.FloorConns = cfg.DBMaxOpenConns * len(cl.bases)
	log.Info("measuring the floor", "users", len(people), "concurrency", f.concurrency, "connections", r.FloorConns)
	before, err := cl.dbSnapshot(ctx)
	if err != nil {
		return err
	}
	floor, err := joinFloor(ctx, cfg.DatabaseURL, r.FloorConns, f.concurrency, c.ID, people)
	if err != nil {
		return err
	}
	after, err := cl.dbSnapshot(ctx)
	if err != nil {
		return err
	}
	if before != nil {
		r.FloorDBLoad = perJoin(*before, *after, floor.Requests)
	}
	floor.Benchmark, floor.Database = "join floor", cl.db.Dialect()
	r.Floor = &floor
	if n, err := cl.db.MemberCount(ctx, c.ID); err != nil || n != len(people) || floor.Errors > 0 {
		return errors.Join(err, fmt.Errorf("the floor made %d memberships of %d (%d errors)", n, len(people), floor.Errors))
	}
	var last int64
	if err := cl.db.Gorm().WithContext(ctx).Raw(`SELECT COALESCE(max(id), 0) FROM events`).Scan(&last).Error; err != nil {
		return fmt.Errorf("reading the event log: %w", err)
	}
	cl.app.push.Notify()
	for deadline := time.Now().Add(30 * time.Second); cl.app.push.Confirmed() < last; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return errors.New("the push hub did not catch up with the floor's events")
		}
	}
	return nil
}

// joinFloor is the least a join costs the database: each person's membership, join request
// and member.joined event inserted in one transaction, from concurrency clients over a pool
// of conns connections (the server's pool size). The three inserts go as one pgx batch: one
// round trip, which PostgreSQL runs as one implicit transaction and commits as the server's
// joins commit (synchronous_commit as configured). Nothing is read, locked or decided, and
// no token is checked: that is the server's work, which the ratio to this floor measures.
func joinFloor(ctx context.Context, dsn string, conns, concurrency int, circleID int64, people []benchPerson) (benchResult, error) {
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return benchResult{}, fmt.Errorf("floor: %w", err)
	}
	pc.MaxConns, pc.MinConns = int32(conns), int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return benchResult{}, fmt.Errorf("floor: %w", err)
	}
	defer pool.Close()
	if err := warmPool(ctx, pool, conns); err != nil {
		return benchResult{}, err
	}
	batches := make([]*pgx.Batch, len(people))
	for i, p := range people {
		now := time.Now().UTC()
		ev, err := qrcircles.ToCircle(circleID, p.ID, qrcircles.EventMemberJoined,
			map[string]any{"circle_id": circleID, "user_id": p.ID, "status": storage.RequestAdmitted, "reasons": ""})
		if err != nil {
			return benchResult{}, err
		}
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO memberships (circle_id, user_id, joined_at) VALUES ($1, $2, $3)`, circleID, p.ID, now)
		b.Queue(`INSERT INTO join_requests (circle_id, user_id, phone, scan_time, status, reasons, decided_at, created_at)
			VALUES ($1, $2, $3, $4, $5, '', $4, $4)`, circleID, p.ID, p.Phone, now, storage.RequestAdmitted)
		b.Queue(`INSERT INTO events (circle_id, subject_id, type, payload, created_at) VALUES ($1, $2, $3, $4, $5)`,
			circleID, p.ID, ev.Type, string(ev.Payload), now)
		batches[i] = b
	}
	return runJobs(len(people), concurrency, func(i int, _ *benchClient) bool {
		return pool.SendBatch(ctx, batches[i]).Close() == nil
	}), nil
}

// warmPool opens every connection of the pool before the floor is timed, so that the floor
// measures statements, not connecting.
func warmPool(ctx context.Context, pool *pgxpool.Pool, n int) error {
	return holdConns(n, func() (func(), error) {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("floor: %w", err)
		}
		return c.Release, nil
	})
}

// holdConns takes n connections of a pool with take, holding each until the last is taken,
// so that the pool opens n, then gives them back.
func holdConns(n int, take func() (release func(), err error)) error {
	held := make([]func(), 0, n)
	defer func() {
		for _, release := range held {
			release()
		}
	}()
	for range n {
		release, err := take()
		if err != nil {
			return err
		}
		held = append(held, release)
	}
	return nil
}
