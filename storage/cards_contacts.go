package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

type contactRow struct {
	OwnerID   int64 `gorm:"primaryKey;autoIncrement:false"`
	ContactID int64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time
}

func (contactRow) TableName() string { return "contacts" }

// AddContact gives owner contact's full card; adding one twice is not an error.
func (db *DB) AddContact(ctx context.Context, ownerID, contactID int64, now time.Time) error {
	err := db.conn(ctx).Exec(`INSERT INTO contacts (owner_id, contact_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (owner_id, contact_id) DO NOTHING`, ownerID, contactID, now.UTC()).Error
	return wrapErr("adding contact", err)
}

// RemoveContact takes contact off owner's contacts, or says ErrNotFound.
func (db *DB) RemoveContact(ctx context.Context, ownerID, contactID int64) error {
	return affectedOne(db.conn(ctx).Where("owner_id = ? AND contact_id = ?", ownerID, contactID).Delete(&contactRow{}), "contact")
}

// HoldsContact reports whether owner has contact's card as a contact.
func (db *DB) HoldsContact(ctx context.Context, ownerID, contactID int64) (bool, error) {
	var n int64
	err := db.conn(ctx).Model(&contactRow{}).Where("owner_id = ? AND contact_id = ?", ownerID, contactID).Count(&n).Error
	return n > 0, wrapErr("contact", err)
}

// ContactIDs is the set of people whose card owner holds.
func (db *DB) ContactIDs(ctx context.Context, ownerID int64) (map[int64]bool, error) {
	var ids []int64
	if err := db.conn(ctx).Model(&contactRow{}).Where("owner_id = ?", ownerID).Pluck("contact_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	set := make(map[int64]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// ContactHolders lists the people who hold userID's card as a contact.
func (db *DB) ContactHolders(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Model(&contactRow{}).Where("contact_id = ?", userID).Order("owner_id").Pluck("owner_id", &ids).Error
	return ids, wrapErr("contact holders", err)
}

type contactCardRow struct {
	UserID    int64
	CreatedAt time.Time
	Columns   cardColumns `gorm:"embedded"`
}

// Contacts lists owner's contacts with their current cards, oldest first; contactID > 0
// lists only that one.
func (db *DB) Contacts(ctx context.Context, ownerID, contactID int64) ([]ContactCard, error) {
	var rows []contactCardRow
	err := db.conn(ctx).Raw(`SELECT k.contact_id AS user_id, k.created_at, `+cardSelect+`
		FROM contacts k JOIN users u ON u.id = k.contact_id LEFT JOIN cards c ON c.user_id = k.contact_id
		WHERE k.owner_id = ? AND (? = 0 OR k.contact_id = ?) ORDER BY k.created_at, k.contact_id`, ownerID, contactID, contactID).
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	out := make([]ContactCard, len(rows))
	for i, r := range rows {
		c, err := r.Columns.card()
		if err != nil {
			return nil, err
		}
		out[i] = ContactCard{UserID: r.UserID, Card: c, AddedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// CreateCardRequest records a waiting request; when the same one already waits, it returns
// that one and created is false.
func (db *DB) CreateCardRequest(ctx context.Context, fromID, toID int64, kind string, now time.Time) (q CardRequest, created bool, err error) {
	err = db.InTx(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Exec(`INSERT INTO card_requests (from_id, to_id, kind, status, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, fromID, toID, kind, CardWaiting, now.UTC())
		if res.Error != nil {
			return fmt.Errorf("storing card request: %w", res.Error)
		}
		created = res.RowsAffected == 1
		return db.conn(ctx).Table("card_requests").Where("from_id = ? AND to_id = ? AND kind = ? AND status = ?", fromID, toID, kind, CardWaiting).
			Take(&q).Error
	})
	return q, created, wrapErr("card request", err)
}

// CardRequest returns one request, or ErrNotFound.
func (db *DB) CardRequest(ctx context.Context, id int64) (CardRequest, error) {
	var q CardRequest
	err := db.conn(ctx).Table("card_requests").Where("id = ?", id).Take(&q).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return q, fmt.Errorf("card request: %w", ErrNotFound)
	}
	return q, wrapErr("card request", err)
}

// CardRequestsOf lists the requests to and from a user in one state, oldest first.
func (db *DB) CardRequestsOf(ctx context.Context, userID int64, status string) (incoming, outgoing []CardRequest, err error) {
	var all []CardRequest
	err = db.conn(ctx).Table("card_requests").Where("(to_id = ? OR from_id = ?) AND status = ?", userID, userID, status).Order("id").Find(&all).Error
	for _, q := range all {
		if q.ToID == userID {
			incoming = append(incoming, q)
		} else {
			outgoing = append(outgoing, q)
		}
	}
	return incoming, outgoing, wrapErr("card requests", err)
}

// DecideCardRequest answers a waiting request addressed to toID. Accepting a delivery gives
// the receiver the sender's card; accepting a request gives the sender the receiver's. A
// request decided before is ErrConflict.
func (db *DB) DecideCardRequest(ctx context.Context, id, toID int64, accept bool, now time.Time) (CardRequest, error) {
	var q CardRequest
	err := db.InTx(ctx, func(ctx context.Context) error {
		status := CardDeclined
		if accept {
			status = CardAccepted
		}
		res := db.conn(ctx).Table("card_requests").Where("id = ? AND to_id = ? AND status = ?", id, toID, CardWaiting).
			Updates(map[string]any{"status": status, "decided_at": now.UTC()})
		if res.Error != nil {
			return fmt.Errorf("deciding card request: %w", res.Error)
		}
		var err error
		if q, err = db.CardRequest(ctx, id); err != nil || q.ToID != toID {
			return fmt.Errorf("card request: %w", ErrNotFound)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("card request %d is %s: %w", id, q.Status, ErrConflict)
		}
		if !accept {
			return nil
		}
		if q.Kind == CardDeliver {
			return db.AddContact(ctx, q.ToID, q.FromID, now)
		}
		return db.AddContact(ctx, q.FromID, q.ToID, now)
	})
	return q, err
}

// PrivacyOf returns a user's privacy settings; never set means everything allowed.
func (db *DB) PrivacyOf(ctx context.Context, userID int64) (UserPrivacy, error) {
	var ps []UserPrivacy
	if err := db.conn(ctx).Table("user_privacy").Where("user_id = ?", userID).Find(&ps).Error; err != nil {
		return UserPrivacy{}, fmt.Errorf("privacy: %w", err)
	}
	if len(ps) == 0 {
		return UserPrivacy{UserID: userID}, nil
	}
	return ps[0], nil
}

// PutPrivacy stores a user's privacy settings.
func (db *DB) PutPrivacy(ctx context.Context, p UserPrivacy) error {
	return wrapErr("storing privacy", db.conn(ctx).Exec(`INSERT INTO user_privacy (user_id, refuse_stranger_cards, block_stranger_messages, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET refuse_stranger_cards = excluded.refuse_stranger_cards,
		block_stranger_messages = excluded.block_stranger_messages, updated_at = excluded.updated_at`,
		p.UserID, p.RefuseStrangerCards, p.BlockStrangerMessages, p.UpdatedAt.UTC()).Error)
}
