package storage

import "gorm.io/gorm"

// migrateEvents creates the event log behind the live push. It has no foreign keys on
// purpose: rows live a day, and a reference to users or circles would take a share lock on
// the referenced row in every transaction that reports a change.
func migrateEvents(tx *gorm.DB, dialect string) error {
	ts := timestamp(dialect)
	id := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if dialect == Postgres {
		id = "bigserial PRIMARY KEY"
	}
	return execAll(tx,
		`CREATE TABLE events (
			id `+id+`,
			recipient_id bigint,
			circle_id bigint,
			subject_id bigint,
			type varchar(40) NOT NULL,
			payload text NOT NULL DEFAULT '{}',
			created_at `+ts+` NOT NULL,
			CHECK ((recipient_id IS NULL) <> (circle_id IS NULL)))`,
		`CREATE INDEX events_recipient ON events (recipient_id, id)`,
		`CREATE INDEX events_circle ON events (circle_id, id)`,
		`CREATE INDEX events_created ON events (created_at)`,
	)
}
