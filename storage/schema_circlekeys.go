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

// migrateCircleCodes gives each circle's code a row of its own, the way from a scanned QR
// code to the circle. A database distributed by circle cannot keep a code unique across
// circles stored on different nodes; this table, copied to every node, can. It has no
// foreign key to circles (a copy on every node may not point at rows on one), and needs
// none: a circle's code never changes and circles are never deleted.
func migrateCircleCodes(tx *gorm.DB, _ string) error {
	return execAll(tx,
		`CREATE TABLE circle_codes (
			code varchar(32) PRIMARY KEY,
			circle_id bigint NOT NULL)`,
		`INSERT INTO circle_codes (code, circle_id) SELECT code, id FROM circles`,
	)
}
