package storage

import "gorm.io/gorm"

// migrateCards creates the business cards and everything about who sees them: per-circle
// visibility with a per-user default, contacts (owner holds contact's full card), card
// deliveries and requests waiting for an answer, and the stranger settings.
func migrateCards(tx *gorm.DB, dialect string) error {
	ts, bin, id := timestamp(dialect), "blob", serialKey(dialect)
	if dialect == Postgres {
		bin = "bytea"
	}
	return execAll(tx,
		`CREATE TABLE cards (
			user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
			display_name varchar(100) NOT NULL,
			title varchar(100) NOT NULL DEFAULT '',
			company varchar(200) NOT NULL DEFAULT '',
			phones text NOT NULL DEFAULT '[]',
			emails text NOT NULL DEFAULT '[]',
			address varchar(300) NOT NULL DEFAULT '',
			website varchar(300) NOT NULL DEFAULT '',
			note text NOT NULL DEFAULT '',
			updated_at `+ts+` NOT NULL)`,
		`CREATE TABLE avatars (
			user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
			content_type varchar(32) NOT NULL,
			data `+bin+` NOT NULL,
			updated_at `+ts+` NOT NULL)`,
		`CREATE TABLE card_defaults (
			user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
			fields varchar(200) NOT NULL,
			updated_at `+ts+` NOT NULL)`,
		`CREATE TABLE card_visibility (
			user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			circle_id bigint NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
			fields varchar(200) NOT NULL,
			updated_at `+ts+` NOT NULL,
			PRIMARY KEY (user_id, circle_id))`,
		`CREATE INDEX card_visibility_circle ON card_visibility (circle_id)`,
		`CREATE TABLE contacts (
			owner_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			contact_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			created_at `+ts+` NOT NULL,
			PRIMARY KEY (owner_id, contact_id))`,
		`CREATE INDEX contacts_contact ON contacts (contact_id)`,
		`CREATE TABLE card_requests (
			id `+id+`,
			from_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			to_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			kind varchar(16) NOT NULL,
			status varchar(16) NOT NULL,
			created_at `+ts+` NOT NULL,
			decided_at `+ts+`)`,
		// One waiting request per pair and kind: asking twice returns the first.
		`CREATE UNIQUE INDEX card_requests_waiting ON card_requests (from_id, to_id, kind) WHERE status = 'waiting'`,
		`CREATE INDEX card_requests_to ON card_requests (to_id, status)`,
		`CREATE TABLE user_privacy (
			user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
			refuse_stranger_cards boolean NOT NULL DEFAULT false,
			block_stranger_messages boolean NOT NULL DEFAULT false,
			updated_at `+ts+` NOT NULL)`,
	)
}
