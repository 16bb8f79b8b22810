package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"qrcircles"
)

func migratePasskeys(tx *gorm.DB, dialect string) error {
	return execAll(tx, `CREATE TABLE passkeys (
			id `+serialKey(dialect)+`,
			user_id bigint NOT NULL,
			credential_id varchar(512) NOT NULL UNIQUE,
			credential text NOT NULL,
			name varchar(200) NOT NULL,
			created_at `+timestamp(dialect)+` NOT NULL,
			last_used_at `+timestamp(dialect)+`)`,
		`CREATE INDEX passkeys_user ON passkeys (user_id)`)
}

func migratePasskeyCeremonies(tx *gorm.DB, dialect string) error {
	return execAll(tx, `CREATE TABLE passkey_ceremonies (
			id_hash varchar(64) PRIMARY KEY,
			user_id bigint NOT NULL,
			data text NOT NULL,
			expires_at `+timestamp(dialect)+` NOT NULL)`,
		`CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies (expires_at)`)
}

// AddPasskey stores a new passkey; a credential ID already stored is a conflict.
func (db *DB) AddPasskey(ctx context.Context, p qrcircles.Passkey) (qrcircles.Passkey, error) {
	err := db.conn(ctx).Create(&p).Error
	return p, wrapErr("storing passkey", err)
}

// Passkeys lists a user's passkeys, oldest first.
func (db *DB) Passkeys(ctx context.Context, userID int64) ([]qrcircles.Passkey, error) {
	var ps []qrcircles.Passkey
	err := db.conn(ctx).Where("user_id = ?", userID).Order("id").Find(&ps).Error
	return ps, wrapErr("passkeys", err)
}

// PasskeyByCredentialID finds the passkey a browser names in a sign-in.
func (db *DB) PasskeyByCredentialID(ctx context.Context, credentialID string) (qrcircles.Passkey, error) {
	var p qrcircles.Passkey
	err := db.conn(ctx).Where("credential_id = ?", credentialID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return p, fmt.Errorf("passkey: %w", ErrNotFound)
	}
	return p, wrapErr("passkey", err)
}

// UsePasskey records a sign-in with the passkey and its credential as it stands after it
// (the signature counter moves).
func (db *DB) UsePasskey(ctx context.Context, id int64, credential string, now time.Time) error {
	res := db.conn(ctx).Model(&qrcircles.Passkey{}).Where("id = ?", id).
		Updates(map[string]any{"credential": credential, "last_used_at": now.UTC()})
	return affectedOne(res, "passkey")
}

// DeletePasskey removes one of the user's passkeys.
func (db *DB) DeletePasskey(ctx context.Context, userID, id int64) error {
	return affectedOne(db.conn(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&qrcircles.Passkey{}), "passkey")
}

// CreatePasskeyCeremony stores a ceremony in progress.
func (db *DB) CreatePasskeyCeremony(ctx context.Context, c qrcircles.PasskeyCeremony) error {
	return wrapErr("storing passkey ceremony", db.conn(ctx).Create(&c).Error)
}

// TakePasskeyCeremony returns the ceremony and deletes it, so a challenge is answered once;
// an expired one is not found.
func (db *DB) TakePasskeyCeremony(ctx context.Context, idHash string, now time.Time) (qrcircles.PasskeyCeremony, error) {
	var c qrcircles.PasskeyCeremony
	err := db.InTx(ctx, func(ctx context.Context) error {
		err := db.conn(ctx).Where("id_hash = ?", idHash).Take(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("passkey ceremony: %w", ErrNotFound)
		}
		if err != nil {
			return wrapErr("passkey ceremony", err)
		}
		return affectedOne(db.conn(ctx).Where("id_hash = ?", idHash).Delete(&qrcircles.PasskeyCeremony{}), "passkey ceremony")
	})
	if err == nil && !c.ExpiresAt.After(now) {
		return c, fmt.Errorf("passkey ceremony expired: %w", ErrNotFound)
	}
	return c, err
}

// DeleteExpiredPasskeyCeremonies removes ceremonies nobody finished.
func (db *DB) DeleteExpiredPasskeyCeremonies(ctx context.Context, now time.Time) (int64, error) {
	res := db.conn(ctx).Where("expires_at <= ?", now.UTC()).Delete(&qrcircles.PasskeyCeremony{})
	return res.RowsAffected, wrapErr("deleting expired passkey ceremonies", res.Error)
}
