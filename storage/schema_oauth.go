package storage

import "gorm.io/gorm"

func migrateOAuth(tx *gorm.DB, dialect string) error {
	return nil
}
