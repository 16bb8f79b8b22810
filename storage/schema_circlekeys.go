package storage

import "gorm.io/gorm"

// migrateCircleKeys makes the circle tables whose rows had a key of their own carry their
// circle in it, as a database distributed by circle requires of every key (docs/scaling.md):
// a join request and an announcement are found by (circle, id), so reading one names its
// circle, and the announcements' (circle_id, id) index becomes the key itself. The IDs stay
// unique, drawn from the same sequences. SQLite is one file on one machine, never
// distributed: it keeps its rowid keys.
func migrateCircleKeys(tx *gorm.DB, dialect string) error {
	if dialect != Postgres {
		return nil
	}
	return execAll(tx,
		`ALTER TABLE join_requests DROP CONSTRAINT join_requests_pkey, ADD PRIMARY KEY (circle_id, id)`,
		`ALTER TABLE announcements DROP CONSTRAINT announcements_pkey, ADD PRIMARY KEY (circle_id, id)`,
		`DROP INDEX announcements_circle`,
	)
}
