package storage

import "gorm.io/gorm"

// migrateMessages creates circle announcements, direct messages between people, and the
// circles each person muted (a muted circle pushes nothing but stays readable).
func migrateMessages(tx *gorm.DB, dialect string) error {
	ts := timestamp(dialect)
	id := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if dialect == Postgres {
		id = "bigserial PRIMARY KEY"
	}
	return execAll(tx,
		`CREATE TABLE announcements (
			id `+id+`,
			circle_id bigint NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
			author_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			body text NOT NULL,
			created_at `+ts+` NOT NULL)`,
		`CREATE INDEX announcements_circle ON announcements (circle_id, id)`,
		`CREATE INDEX announcements_author ON announcements (author_id)`,
		`CREATE TABLE messages (
			id `+id+`,
			from_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			to_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			body text NOT NULL,
			created_at `+ts+` NOT NULL,
			read_at `+ts+`,
			CHECK (from_id <> to_id))`,
		// Both directions of a conversation are read by (from, to, id) ranges.
		`CREATE INDEX messages_from_to ON messages (from_id, to_id, id)`,
		`CREATE INDEX messages_to_from ON messages (to_id, from_id, id)`,
		`CREATE INDEX messages_unread ON messages (to_id, from_id) WHERE read_at IS NULL`,
		`CREATE TABLE circle_mutes (
			user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			circle_id bigint NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
			created_at `+ts+` NOT NULL,
			PRIMARY KEY (user_id, circle_id))`,
		`CREATE INDEX circle_mutes_circle ON circle_mutes (circle_id)`,
	)
}
