package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"qrcircles"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type cardRow struct {
	UserID      int64 `gorm:"primaryKey;autoIncrement:false"`
	DisplayName string
	Title       string
	Company     string
	Phones      string
	Emails      string
	Address     string
	Website     string
	Note        string
	UpdatedAt   time.Time
}

func (cardRow) TableName() string { return "cards" }

func toCardRow(userID int64, c qrcircles.Card, now time.Time) cardRow {
	return cardRow{UserID: userID, DisplayName: c.DisplayName, Title: c.Title, Company: c.Company,
		Phones: jsonList(c.Phones), Emails: jsonList(c.Emails), Address: c.Address, Website: c.Website,
		Note: c.Note, UpdatedAt: now.UTC()}
}

// cardColumns reads a card joined with its avatar's presence.
type cardColumns struct {
	DisplayName, Title, Company, Phones, Emails, Address, Website, Note string
	HasAvatar                                                           bool
}

func (r cardColumns) card() (qrcircles.Card, error) {
	c := qrcircles.Card{DisplayName: r.DisplayName, Title: r.Title, Company: r.Company, Address: r.Address,
		Website: r.Website, Note: r.Note, HasAvatar: r.HasAvatar}
	if err := unmarshalList(r.Phones, &c.Phones); err != nil {
		return c, fmt.Errorf("card phones: %w", err)
	}
	if err := unmarshalList(r.Emails, &c.Emails); err != nil {
		return c, fmt.Errorf("card emails: %w", err)
	}
	return c, nil
}

func unmarshalList(s string, dst *[]string) error {
	if s == "" || s == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(s), dst)
}

// cardSelect is the columns of a card, for a query over "cards c" (maybe LEFT JOINed, then
// NULL) that also knows the user as "u".
const cardSelect = `COALESCE(c.display_name, u.display_name) AS display_name, COALESCE(c.title, '') AS title,
	COALESCE(c.company, '') AS company, COALESCE(c.phones, '[]') AS phones, COALESCE(c.emails, '[]') AS emails,
	COALESCE(c.address, '') AS address, COALESCE(c.website, '') AS website, COALESCE(c.note, '') AS note,
	EXISTS (SELECT 1 FROM avatars a WHERE a.user_id = u.id) AS has_avatar`

// Card returns a user's card. A user without one gets ErrNotFound.
func (db *DB) Card(ctx context.Context, userID int64) (qrcircles.Card, error) {
	var rows []cardColumns
	err := db.conn(ctx).Raw(`SELECT `+cardSelect+` FROM cards c JOIN users u ON u.id = c.user_id WHERE c.user_id = ?`, userID).
		Scan(&rows).Error
	if err != nil {
		return qrcircles.Card{}, fmt.Errorf("card: %w", err)
	}
	if len(rows) == 0 {
		return qrcircles.Card{}, fmt.Errorf("card: %w", ErrNotFound)
	}
	return rows[0].card()
}

// PutCard stores a user's card, replacing the one before, and keeps the user's display name
// (shown in member lists) the card's. The caller validated c.
func (db *DB) PutCard(ctx context.Context, userID int64, c qrcircles.Card, now time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		row := toCardRow(userID, c, now)
		err := db.conn(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "user_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"display_name", "title", "company", "phones", "emails", "address", "website", "note", "updated_at"}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("storing card: %w", err)
		}
		return db.SetDisplayName(ctx, userID, c.DisplayName, now)
	})
}

// PutAvatar stores a user's picture, replacing the one before.
func (db *DB) PutAvatar(ctx context.Context, a Avatar) error {
	a.UpdatedAt = a.UpdatedAt.UTC()
	err := db.conn(ctx).Table("avatars").Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"content_type", "data", "updated_at"}),
	}).Create(&a).Error
	return wrapErr("storing avatar", err)
}

// Avatar returns a user's picture, or ErrNotFound.
func (db *DB) Avatar(ctx context.Context, userID int64) (Avatar, error) {
	var a Avatar
	err := db.conn(ctx).Table("avatars").Where("user_id = ?", userID).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Avatar{}, fmt.Errorf("avatar: %w", ErrNotFound)
	}
	return a, wrapErr("avatar", err)
}

// DeleteAvatar removes a user's picture.
func (db *DB) DeleteAvatar(ctx context.Context, userID int64) error {
	return affectedOne(db.conn(ctx).Table("avatars").Where("user_id = ?", userID).Delete(&Avatar{}), "avatar")
}
