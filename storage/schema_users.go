package storage

import "gorm.io/gorm"

func migrateUsers(tx *gorm.DB, dialect string) error {
	return nil
}
