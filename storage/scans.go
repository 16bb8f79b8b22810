package storage

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"qrcircles"
)

// CreatePendingScan stores a pending scan.
func (db *DB) CreatePendingScan(ctx context.Context, p qrcircles.PendingScan) error {
	return wrapErr("storing pending scan", db.conn(ctx).Create(&p).Error)
}

// PendingScan returns the pending scan with the state hash.
func (db *DB) PendingScan(ctx context.Context, stateHash string) (qrcircles.PendingScan, error) {
	var p qrcircles.PendingScan
	err := db.conn(ctx).Where("state_hash = ?", stateHash).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, fmt.Errorf("pending scan: %w", ErrNotFound)
	}
	p.ScanTime, p.CreatedAt = p.ScanTime.UTC(), p.CreatedAt.UTC()
	return p, wrapErr("pending scan", err)
}

// TakePendingScan returns the pending scan and deletes it, so it is used once.
func (db *DB) TakePendingScan(ctx context.Context, stateHash string) (qrcircles.PendingScan, error) {
	var p qrcircles.PendingScan
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = db.PendingScan(ctx, stateHash); err != nil {
			return err
		}
		return affectedOne(db.conn(ctx).Where("state_hash = ?", stateHash).Delete(&qrcircles.PendingScan{}), "pending scan")
	})
	return p, err
}
