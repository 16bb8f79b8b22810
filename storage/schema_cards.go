package storage

import "gorm.io/gorm"

func migrateCards(tx *gorm.DB, dialect string) error {
	return nil
}
