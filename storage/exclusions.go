package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type exclusionRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	OtherPhone string
	CreatedAt  time.Time
}

func (exclusionRow) TableName() string { return "exclusions" }

// CreateExclusion records an exclusion, whether or not the two share a circle now: it holds
// from the next join on, and its answer must not tell the caller whether the phone belongs to
// someone in their circles. Its locks pair with those of Join, so that a join running at the
// same time either comes before it (and stands) or after it (and is refused).
func (db *DB) CreateExclusion(ctx context.Context, userID int64, myPhone, otherPhone string, now time.Time) (Exclusion, error) {
	var ex Exclusion
	err := db.InTx(ctx, func(ctx context.Context) error {
		keys := []string{phoneLockKey(myPhone), phoneLockKey(otherPhone)}
		sort.Strings(keys) // one order for everyone: no deadlocks
		for _, k := range keys {
			if err := db.lockKey(ctx, k, false); err != nil {
				return err
			}
		}
		row := exclusionRow{UserID: userID, OtherPhone: otherPhone, CreatedAt: now.UTC()}
		err := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("storing exclusion: %w", err)
		}
		if row.ID == 0 { // it existed: return that one
			err = db.conn(ctx).Where("user_id = ? AND other_phone = ?", userID, otherPhone).Take(&row).Error
		}
		ex = Exclusion(row)
		return wrapErr("reading exclusion", err)
	})
	return ex, err
}

// Exclusions lists a person's exclusions.
func (db *DB) Exclusions(ctx context.Context, userID int64) ([]Exclusion, error) {
	var rows []exclusionRow
	if err := db.conn(ctx).Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing exclusions: %w", err)
	}
	out := make([]Exclusion, len(rows))
	for i, r := range rows {
		out[i] = Exclusion(r)
	}
	return out, nil
}

// DeleteExclusion removes one of the person's exclusions.
func (db *DB) DeleteExclusion(ctx context.Context, userID, id int64) error {
	return affectedOne(db.conn(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&exclusionRow{}), "exclusion")
}

type userSettingsRow struct {
	UserID           int64 `gorm:"primaryKey"`
	RefuseAllCircles bool
	UpdatedAt        time.Time
}

func (userSettingsRow) TableName() string { return "user_settings" }

// RefusesAllCircles reports the person's "refuse to join any circle" setting.
func (db *DB) RefusesAllCircles(ctx context.Context, userID int64) (bool, error) {
	var row userSettingsRow
	err := db.conn(ctx).Where("user_id = ?", userID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil // no settings yet: the defaults
	}
	return row.RefuseAllCircles, wrapErr("user settings", err)
}

// SetRefuseAllCircles changes the person's "refuse to join any circle" setting.
func (db *DB) SetRefuseAllCircles(ctx context.Context, userID int64, refuse bool, now time.Time) error {
	row := userSettingsRow{UserID: userID, RefuseAllCircles: refuse, UpdatedAt: now.UTC()}
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"refuse_all_circles", "updated_at"}),
	}).Create(&row).Error
	return wrapErr("saving user settings", err)
}
