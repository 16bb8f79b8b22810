package storage

import "gorm.io/gorm"

// migrations is the schema's history. Append only: a released migration never changes.
var migrations = []Migration{
	{1, "system settings", func(tx *gorm.DB, dialect string) error {
		return tx.Exec(`CREATE TABLE system_settings (
			key varchar(100) PRIMARY KEY,
			value text NOT NULL,
			updated_at ` + timestamp(dialect) + ` NOT NULL)`).Error
	}},
}

// timestamp is the column type for a moment in time.
func timestamp(dialect string) string {
	if dialect == Postgres {
		return "timestamptz"
	}
	return "datetime"
}
