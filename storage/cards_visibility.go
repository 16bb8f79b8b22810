package storage

import (
	"context"
	"fmt"
	"time"

	"qrcircles"

	"gorm.io/gorm/clause"
)

type cardDefaultRow struct {
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Fields    string
	UpdatedAt time.Time
}

func (cardDefaultRow) TableName() string { return "card_defaults" }

type cardVisibilityRow struct {
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	CircleID  int64 `gorm:"primaryKey;autoIncrement:false"`
	Fields    string
	UpdatedAt time.Time
}

func (cardVisibilityRow) TableName() string { return "card_visibility" }

// CardSettings returns what a user chose to show: the default (qrcircles.FieldsBasic until they choose)
// and the choice of every circle that has one.
func (db *DB) CardSettings(ctx context.Context, userID int64) (qrcircles.CardSettings, error) {
	return db.cardSettings(ctx, userID, "user_id = ?", userID)
}

// CardSettingsIn is CardSettings for one circle (0: none): the default and that circle's
// choice only. An event's fan-out reads it, by the circle's key, once per event and instance.
func (db *DB) CardSettingsIn(ctx context.Context, userID, circleID int64) (qrcircles.CardSettings, error) {
	return db.cardSettings(ctx, userID, "circle_id = ? AND user_id = ?", circleID, userID)
}

// cardSettings reads the user's default and the circle choices that where selects.
func (db *DB) cardSettings(ctx context.Context, userID int64, where string, args ...any) (qrcircles.CardSettings, error) {
	var defaults []string
	if err := db.conn(ctx).Model(&cardDefaultRow{}).Where("user_id = ?", userID).Pluck("fields", &defaults).Error; err != nil {
		return qrcircles.CardSettings{}, fmt.Errorf("card default: %w", err)
	}
	var rows []cardVisibilityRow
	if err := db.conn(ctx).Where(where, args...).Find(&rows).Error; err != nil {
		return qrcircles.CardSettings{}, fmt.Errorf("card visibility: %w", err)
	}
	var def *string
	if len(defaults) > 0 {
		def = &defaults[0]
	}
	s, err := settingsOf(def)
	for _, r := range rows {
		if err != nil {
			break
		}
		s.Circles[r.CircleID], err = qrcircles.ParseStoredFields(r.Fields)
	}
	return s, err
}

// settingsOf starts Settings from a stored default, or qrcircles.FieldsBasic when none is stored.
func settingsOf(def *string) (qrcircles.CardSettings, error) {
	s := qrcircles.DefaultCardSettings()
	s.Circles = map[int64]qrcircles.FieldSet{}
	if def == nil {
		return s, nil
	}
	fs, err := qrcircles.ParseStoredFields(*def)
	if err != nil {
		return s, fmt.Errorf("stored card default %q: %w", *def, err)
	}
	s.Default = fs
	return s, nil
}

// SetCardDefault changes what circles joined later show. The circles the user is in now and
// made no choice for keep showing the old default: they pin it first, in the same transaction.
func (db *DB) SetCardDefault(ctx context.Context, userID int64, fs qrcircles.FieldSet, now time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		old, err := db.CardSettings(ctx, userID)
		if err != nil {
			return err
		}
		if err := db.pinDefault(ctx, userID, old.Default, now); err != nil {
			return err
		}
		row := cardDefaultRow{UserID: userID, Fields: fs.String(), UpdatedAt: now.UTC()}
		return wrapErr("storing card default", db.conn(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "user_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"fields", "updated_at"}),
		}).Create(&row).Error)
	})
}

func (db *DB) pinDefault(ctx context.Context, userID int64, old qrcircles.FieldSet, now time.Time) error {
	err := db.conn(ctx).Exec(`INSERT INTO card_visibility (user_id, circle_id, fields, updated_at)
		SELECT m.user_id, m.circle_id, ?, ? FROM memberships m WHERE m.user_id = ?
		ON CONFLICT (user_id, circle_id) DO NOTHING`, old.String(), now.UTC(), userID).Error
	return wrapErr("keeping the old default for joined circles", err)
}

// SetCircleVisibility sets what the user shows in one circle.
func (db *DB) SetCircleVisibility(ctx context.Context, userID, circleID int64, fs qrcircles.FieldSet, now time.Time) error {
	row := cardVisibilityRow{UserID: userID, CircleID: circleID, Fields: fs.String(), UpdatedAt: now.UTC()}
	return wrapErr("storing card visibility", db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "circle_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"fields", "updated_at"}),
	}).Create(&row).Error)
}

// ResetCircleVisibility drops the user's choice for one circle: the default applies again.
func (db *DB) ResetCircleVisibility(ctx context.Context, userID, circleID int64) error {
	err := db.conn(ctx).Where("user_id = ? AND circle_id = ?", userID, circleID).Delete(&cardVisibilityRow{}).Error
	return wrapErr("resetting card visibility", err)
}

// CardFacts are what decide what viewer may see of owner's card when looking in circleID
// (0: in no circle), read in one round trip.
func (db *DB) CardFacts(ctx context.Context, ownerID, viewerID, circleID int64) (qrcircles.CardFacts, error) {
	f := qrcircles.CardFacts{OwnerID: ownerID, ViewerID: viewerID, CircleID: circleID}
	err := db.conn(ctx).Raw(`SELECT
		EXISTS (SELECT 1 FROM contacts WHERE owner_id = ? AND contact_id = ?) AS viewer_holds_owner,
		EXISTS (SELECT 1 FROM memberships WHERE circle_id = ? AND user_id = ?) AS owner_is_member,
		EXISTS (SELECT 1 FROM memberships WHERE circle_id = ? AND user_id = ?) AS viewer_is_member,
		EXISTS (SELECT 1 FROM circles WHERE id = ? AND owner_id = ?) AS viewer_organizes`,
		viewerID, ownerID, circleID, ownerID, circleID, viewerID, circleID, viewerID).Row().
		Scan(&f.ViewerHoldsOwner, &f.OwnerIsMember, &f.ViewerIsMember, &f.ViewerOrganizes)
	return f, wrapErr("card facts", err)
}

type circleCardRow struct {
	UserID        int64
	CircleFields  *string
	DefaultFields *string
	Columns       cardColumns `gorm:"embedded"`
}

// CircleCards lists the members of a circle with their cards, in the order they joined. A
// member without a card has one holding only their display name.
func (db *DB) CircleCards(ctx context.Context, circleID int64) ([]CircleCard, error) {
	var rows []circleCardRow
	err := db.conn(ctx).Raw(`SELECT m.user_id, cv.fields AS circle_fields, cd.fields AS default_fields, `+cardSelect+`
		FROM memberships m JOIN users u ON u.id = m.user_id
		LEFT JOIN cards c ON c.user_id = m.user_id
		LEFT JOIN card_visibility cv ON cv.user_id = m.user_id AND cv.circle_id = m.circle_id
		LEFT JOIN card_defaults cd ON cd.user_id = m.user_id
		WHERE m.circle_id = ? ORDER BY m.joined_at, m.user_id`, circleID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("circle cards: %w", err)
	}
	out := make([]CircleCard, len(rows))
	for i, r := range rows {
		if out[i], err = r.circleCard(circleID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r circleCardRow) circleCard(circleID int64) (CircleCard, error) {
	c, err := r.Columns.card()
	if err != nil {
		return CircleCard{}, err
	}
	s, err := settingsOf(r.DefaultFields)
	if err != nil {
		return CircleCard{}, err
	}
	if r.CircleFields != nil {
		if s.Circles[circleID], err = qrcircles.ParseStoredFields(*r.CircleFields); err != nil {
			return CircleCard{}, err
		}
	}
	return CircleCard{UserID: r.UserID, Card: c, Settings: s}, nil
}

// SharesCircle reports whether two people are members of one circle, or one organizes a
// circle the other is a member of.
func (db *DB) SharesCircle(ctx context.Context, a, b int64) (bool, error) {
	var shares bool
	err := db.conn(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM memberships m1 JOIN memberships m2 ON m2.circle_id = m1.circle_id
			WHERE m1.user_id = ? AND m2.user_id = ?)
		OR EXISTS (SELECT 1 FROM circles c JOIN memberships m ON m.circle_id = c.id
			WHERE (c.owner_id = ? AND m.user_id = ?) OR (c.owner_id = ? AND m.user_id = ?))`,
		a, b, a, b, b, a).Row().Scan(&shares)
	return shares, wrapErr("shared circles", err)
}

// MemberCircleIDs lists the circles a user is a member of.
func (db *DB) MemberCircleIDs(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Model(&membershipRow{}).Where("user_id = ?", userID).Order("circle_id").Pluck("circle_id", &ids).Error
	return ids, wrapErr("member circles", err)
}
