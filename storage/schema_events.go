package storage

import "gorm.io/gorm"

func migrateEvents(tx *gorm.DB, dialect string) error {
	return nil
}
