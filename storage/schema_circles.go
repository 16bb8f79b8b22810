package storage

import "gorm.io/gorm"

func migrateCircles(tx *gorm.DB, dialect string) error {
	ts := timestamp(dialect)
	id := serialKey(dialect)
	return execAll(tx,
		`CREATE TABLE circles (
			id `+id+`,
			code varchar(32) NOT NULL UNIQUE,
			owner_id bigint NOT NULL REFERENCES users(id),
			title varchar(200) NOT NULL,
			description text NOT NULL DEFAULT '',
			location varchar(300) NOT NULL DEFAULT '',
			starts_at `+ts+`,
			ends_at `+ts+`,
			time_zone varchar(64) NOT NULL DEFAULT 'UTC',
			not_before `+ts+`,
			not_after `+ts+`,
			identity_rules text NOT NULL DEFAULT '{}',
			allowlist_size integer NOT NULL DEFAULT 0,
			member_cap integer NOT NULL DEFAULT 0,
			mode varchar(16) NOT NULL DEFAULT 'rules',
			closed boolean NOT NULL DEFAULT false,
			created_at `+ts+` NOT NULL,
			updated_at `+ts+` NOT NULL)`,
		`CREATE INDEX circles_owner ON circles (owner_id)`,
		`CREATE TABLE circle_allowlist (
			circle_id bigint NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
			phone varchar(20) NOT NULL,
			PRIMARY KEY (circle_id, phone))`,
		`CREATE TABLE join_requests (
			id `+id+`,
			circle_id bigint NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
			user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			phone varchar(20) NOT NULL,
			scan_time `+ts+` NOT NULL,
			status varchar(16) NOT NULL,
			reasons text NOT NULL DEFAULT '',
			decided_by bigint,
			decided_at `+ts+`,
			created_at `+ts+` NOT NULL,
			UNIQUE (circle_id, user_id))`,
		`CREATE INDEX join_requests_waiting ON join_requests (circle_id, status)`,
		`CREATE INDEX join_requests_user ON join_requests (user_id)`,
		`CREATE TABLE memberships (
			circle_id bigint NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
			user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			joined_at `+ts+` NOT NULL,
			PRIMARY KEY (circle_id, user_id))`,
		`CREATE INDEX memberships_user ON memberships (user_id)`,
		`CREATE TABLE exclusions (
			id `+id+`,
			user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			other_phone varchar(20) NOT NULL,
			created_at `+ts+` NOT NULL,
			UNIQUE (user_id, other_phone))`,
		`CREATE INDEX exclusions_other ON exclusions (other_phone)`,
		`CREATE TABLE pending_scans (
			state_hash varchar(64) PRIMARY KEY,
			binding_hash varchar(64) NOT NULL,
			verifier varchar(128) NOT NULL,
			circle_url text NOT NULL,
			scan_time `+ts+` NOT NULL,
			created_at `+ts+` NOT NULL)`,
		`CREATE INDEX pending_scans_created ON pending_scans (created_at)`,
		`CREATE TABLE user_settings (
			user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
			refuse_all_circles boolean NOT NULL DEFAULT false,
			updated_at `+ts+` NOT NULL)`,
	)
}
