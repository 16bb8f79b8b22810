package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ory/fosite"
	"gorm.io/gorm"
)

// oauthJTI is an oauth_jti row: the id of a client assertion JWT already seen.
type oauthJTI struct {
	JTI       string    `gorm:"column:jti;primaryKey"`
	ExpiresAt time.Time `gorm:"column:expires_at"`
}

func (oauthJTI) TableName() string { return "oauth_jti" }

// ClientAssertionJWTValid returns fosite.ErrJTIKnown when the JTI was seen and has not expired.
func (db *DB) ClientAssertionJWTValid(ctx context.Context, jti string) error {
	var row oauthJTI
	err := db.conn(ctx).Where("jti = ?", jti).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return oauthErr("reading client assertion id", err)
	}
	if row.ExpiresAt.After(time.Now()) {
		return fmt.Errorf("client assertion id %q: %w", jti, fosite.ErrJTIKnown)
	}
	return nil
}

// SetClientAssertionJWT records the JTI until exp, after forgetting the expired ones.
func (db *DB) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		err := db.conn(ctx).Exec("DELETE FROM oauth_jti WHERE expires_at < ?", time.Now().UTC()).Error
		if err != nil {
			return oauthErr("forgetting expired client assertion ids", err)
		}
		err = db.conn(ctx).Create(&oauthJTI{JTI: jti, ExpiresAt: exp.UTC()}).Error
		if isUniqueViolation(err) {
			return fmt.Errorf("client assertion id %q: %w", jti, fosite.ErrJTIKnown)
		}
		if err != nil {
			return oauthErr("recording client assertion id", err)
		}
		return nil
	})
}
