package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

type txKey struct{}

// conn returns the transaction carried by ctx, or the database. Every query of a store goes
// through it, so that a caller's transaction (fosite's BeginTX, or InTx) covers the query.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

// InTx runs fn in one transaction: it commits when fn returns nil and rolls back otherwise.
// Inside an outer transaction fn simply joins it.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	return markUnavailable(err) // begin and commit run outside the statement callbacks
}

// beginTx starts a transaction and returns a context carrying it.
func (db *DB) beginTx(ctx context.Context) (context.Context, error) {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return ctx, errors.New("a transaction is already open in this context")
	}
	tx := db.gorm.WithContext(ctx).Begin()
	if tx.Error != nil {
		return ctx, fmt.Errorf("begin: %w", markUnavailable(tx.Error))
	}
	return context.WithValue(ctx, txKey{}, tx), nil
}

func commitTx(ctx context.Context) error {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return errors.New("commit: no transaction in this context")
	}
	return markUnavailable(tx.Commit().Error)
}

func rollbackTx(ctx context.Context) error {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return errors.New("rollback: no transaction in this context")
	}
	return markUnavailable(tx.Rollback().Error)
}

// isSerializationFailure reports a PostgreSQL serialization failure or deadlock: the caller
// may retry the whole transaction.
func isSerializationFailure(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// isUniqueViolation reports a duplicate key on either database.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && (errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed"))
}
