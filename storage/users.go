package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"qrcircles"
)

// EnsureUser returns the user with the phone number, creating one when there is none; created
// says which happened. Two concurrent first logins of one phone make one user.
func (db *DB) EnsureUser(ctx context.Context, phone string, now time.Time) (qrcircles.User, bool, error) {
	u := qrcircles.User{Phone: phone, CreatedAt: now, UpdatedAt: now}
	res := db.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "phone"}}, DoNothing: true}).Create(&u)
	if res.Error != nil {
		return qrcircles.User{}, false, fmt.Errorf("creating user: %w", res.Error)
	}
	if res.RowsAffected == 1 && u.ID != 0 {
		return u, true, nil
	}
	u, err := db.UserByPhone(ctx, phone)
	return u, false, err
}

// UserByPhone returns the user with the phone number.
func (db *DB) UserByPhone(ctx context.Context, phone string) (qrcircles.User, error) {
	return db.user(ctx, "phone = ?", phone)
}

// User returns the user with the ID.
func (db *DB) User(ctx context.Context, id int64) (qrcircles.User, error) {
	return db.user(ctx, "id = ?", id)
}

func (db *DB) user(ctx context.Context, where string, arg any) (qrcircles.User, error) {
	var u qrcircles.User
	err := db.conn(ctx).Where(where, arg).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return qrcircles.User{}, fmt.Errorf("user: %w", ErrNotFound)
	}
	if err != nil {
		return qrcircles.User{}, fmt.Errorf("user: %w", err)
	}
	return u, nil
}

// SetDisplayName changes a user's display name.
func (db *DB) SetDisplayName(ctx context.Context, id int64, name string, now time.Time) error {
	res := db.conn(ctx).Model(&qrcircles.User{}).Where("id = ?", id).Updates(map[string]any{"display_name": name, "updated_at": now})
	return affectedOne(res, "user")
}

// CreateLoginSession stores a new login session.
func (db *DB) CreateLoginSession(ctx context.Context, s qrcircles.LoginSession) error {
	if err := db.conn(ctx).Create(&s).Error; err != nil {
		return fmt.Errorf("creating login session: %w", err)
	}
	return nil
}

// LoginSession returns the unexpired session with the hash.
func (db *DB) LoginSession(ctx context.Context, idHash string, now time.Time) (qrcircles.LoginSession, error) {
	var s qrcircles.LoginSession
	err := db.conn(ctx).Where("id_hash = ? AND expires_at > ?", idHash, now).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return qrcircles.LoginSession{}, fmt.Errorf("login session: %w", ErrNotFound)
	}
	if err != nil {
		return qrcircles.LoginSession{}, fmt.Errorf("login session: %w", err)
	}
	return s, nil
}

// DeleteLoginSession ends a login session; ending one that is gone is not an error.
func (db *DB) DeleteLoginSession(ctx context.Context, idHash string) error {
	if err := db.conn(ctx).Where("id_hash = ?", idHash).Delete(&qrcircles.LoginSession{}).Error; err != nil {
		return fmt.Errorf("deleting login session: %w", err)
	}
	return nil
}

// Consent returns what the user granted the client.
func (db *DB) Consent(ctx context.Context, userID int64, clientID string) (qrcircles.Consent, error) {
	if unstorable(clientID) {
		return qrcircles.Consent{}, fmt.Errorf("consent: %w", ErrNotFound)
	}
	var c qrcircles.Consent
	err := db.conn(ctx).Where("user_id = ? AND client_id = ?", userID, clientID).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return qrcircles.Consent{}, fmt.Errorf("consent: %w", ErrNotFound)
	}
	if err != nil {
		return qrcircles.Consent{}, fmt.Errorf("consent: %w", err)
	}
	return c, nil
}

// PutConsent records (or replaces) a consent.
func (db *DB) PutConsent(ctx context.Context, c qrcircles.Consent) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "client_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"scopes", "granted_at"}),
	}).Create(&c).Error
	if err != nil {
		return fmt.Errorf("storing consent: %w", err)
	}
	return nil
}

// Consents lists a user's consents, newest first.
func (db *DB) Consents(ctx context.Context, userID int64) ([]qrcircles.Consent, error) {
	var cs []qrcircles.Consent
	if err := db.conn(ctx).Where("user_id = ?", userID).Order("granted_at DESC").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("listing consents: %w", err)
	}
	return cs, nil
}

// DeleteConsent withdraws a consent.
func (db *DB) DeleteConsent(ctx context.Context, userID int64, clientID string) error {
	res := db.conn(ctx).Where("user_id = ? AND client_id = ?", userID, clientID).Delete(&qrcircles.Consent{})
	return affectedOne(res, "consent")
}

// signingKeyRow is a signing_keys row.
type signingKeyRow struct {
	KID        string `gorm:"primaryKey;column:kid"`
	Algorithm  string
	PrivateKey string
	CreatedAt  time.Time
}

func (signingKeyRow) TableName() string { return "signing_keys" }

// SigningKeys lists every signing key, newest first.
func (db *DB) SigningKeys(ctx context.Context) ([]qrcircles.SigningKey, error) {
	var rows []signingKeyRow
	if err := db.conn(ctx).Order("created_at DESC, kid DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("listing signing keys: %w", err)
	}
	ks := make([]qrcircles.SigningKey, len(rows))
	for i, r := range rows {
		ks[i] = qrcircles.SigningKey(r)
	}
	return ks, nil
}

// AddSigningKey stores a new signing key.
func (db *DB) AddSigningKey(ctx context.Context, k qrcircles.SigningKey) error {
	row := signingKeyRow(k)
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("storing signing key: %w", err)
	}
	return nil
}

// DeleteSigningKeys removes the keys with the IDs.
func (db *DB) DeleteSigningKeys(ctx context.Context, kids []string) error {
	if len(kids) == 0 {
		return nil
	}
	if err := db.conn(ctx).Where("kid IN ?", kids).Delete(&signingKeyRow{}).Error; err != nil {
		return fmt.Errorf("deleting signing keys: %w", err)
	}
	return nil
}

func affectedOne(res *gorm.DB, what string) error {
	if res.Error != nil {
		return fmt.Errorf("%s: %w", what, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// Users reads the users of ids that exist, in no particular order: one query for a list that
// names many people.
func (db *DB) Users(ctx context.Context, ids []int64) ([]qrcircles.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []qrcircles.User
	if err := db.conn(ctx).Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return out, nil
}
