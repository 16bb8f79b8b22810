package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// step is one statement of a join; scan, when set, is called for each row it returns.
type step struct {
	sql  string
	args []any
	scan func(rowScanner) error
}

type rowScanner interface{ Scan(dest ...any) error }

// joinTx carries the statements of one join transaction. On PostgreSQL outside a caller's
// transaction it holds one connection and sends each flight of statements as one pipelined
// round trip, BEGIN with the first flight and COMMIT with the last: a join keeps its
// connection for two round trips instead of one per statement. Otherwise (SQLite, or inside
// a caller's transaction) it runs the same statements one by one in the context's
// transaction.
type joinTx struct {
	pg    *pgx.Conn // nil: one by one
	begun bool
	db    *DB
	last  []step // run just before the commit: giving back a seat the join did not use
}

// inJoinTx runs fn with a joinTx for the join k; fn's last send must commit. An error rolls
// back.
func (db *DB) inJoinTx(ctx context.Context, k JoinKey, fn func(ctx context.Context, t *joinTx) error) error {
	var last []step
	if k.Seat {
		last = releaseSeatSteps(k)
	}
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); inTx || db.dialect != Postgres {
		return db.InTx(ctx, func(ctx context.Context) error {
			if err := fn(ctx, &joinTx{db: db}); err != nil {
				return err
			}
			return db.runSteps(ctx, last)
		})
	}
	return db.onPgConn(ctx, func(pg *pgx.Conn) error {
		return fn(ctx, &joinTx{pg: pg, db: db, last: last})
	})
}

// onPgConn runs fn on a pgx connection that it holds alone, taken from the pool. A
// transaction that fn leaves open after an error is rolled back; if that fails too, the
// pool drops the connection.
func (db *DB) onPgConn(ctx context.Context, fn func(pg *pgx.Conn) error) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("join connection: %w", markUnavailable(err))
	}
	defer conn.Close()
	return markUnavailable(conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("join connection: %T is not a pgx connection", dc)
		}
		pg := sc.Conn()
		err := fn(pg)
		if err != nil && pg.PgConn().TxStatus() != 'I' {
			if _, rerr := pg.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				return errors.Join(err, driver.ErrBadConn)
			}
		}
		return err
	}))
}

// send runs steps; with commit they are the transaction's last.
func (t *joinTx) send(ctx context.Context, steps []step, commit bool) error {
	if t.pg == nil {
		return t.db.runSteps(ctx, steps)
	}
	b := &pgx.Batch{}
	if !t.begun {
		b.Queue("BEGIN")
		t.begun = true
	}
	for _, s := range steps {
		q := b.Queue(numbered(s.sql), s.args...)
		if s.scan != nil {
			q.Query(func(rows pgx.Rows) error { return scanAll(rows, s.scan) })
		}
	}
	if commit {
		for _, s := range t.last {
			b.Queue(numbered(s.sql), s.args...)
		}
		b.Queue("COMMIT")
	}
	return t.pg.SendBatch(ctx, b).Close()
}

func scanAll(rows pgx.Rows, scan func(rowScanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// runSteps runs steps one by one in the context's transaction.
func (db *DB) runSteps(ctx context.Context, steps []step) error {
	for _, s := range steps {
		rows, err := db.conn(ctx).Raw(s.sql, s.args...).Rows()
		if err != nil {
			return err
		}
		for err == nil && rows.Next() {
			if s.scan != nil {
				err = s.scan(rows)
			}
		}
		if err = errors.Join(err, rows.Err(), rows.Close()); err != nil {
			return markUnavailable(err)
		}
	}
	return nil
}

// numbered turns the ? placeholders of gorm's SQL into PostgreSQL's $1, $2, …; the join's
// statements hold no other question mark.
func numbered(sql string) string {
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(sql, '?')
		if i < 0 {
			return b.String() + sql
		}
		n++
		b.WriteString(sql[:i])
		b.WriteString("$" + strconv.Itoa(n))
		sql = sql[i+1:]
	}
}
