package storage

import "gorm.io/gorm"

func migrateSMS(tx *gorm.DB, dialect string) error {
	return nil
}
