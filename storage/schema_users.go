package storage

import "gorm.io/gorm"

func migrateUsers(tx *gorm.DB, dialect string) error {
	ts := timestamp(dialect)
	id := serialKey(dialect)
	return execAll(tx,
		`CREATE TABLE users (
			id `+id+`,
			phone varchar(20) NOT NULL UNIQUE,
			display_name varchar(100) NOT NULL DEFAULT '',
			created_at `+ts+` NOT NULL,
			updated_at `+ts+` NOT NULL)`,
		`CREATE TABLE login_sessions (
			id_hash varchar(64) PRIMARY KEY,
			user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			created_at `+ts+` NOT NULL,
			expires_at `+ts+` NOT NULL)`,
		`CREATE INDEX login_sessions_user ON login_sessions (user_id)`,
		`CREATE INDEX login_sessions_expiry ON login_sessions (expires_at)`,
		`CREATE TABLE consents (
			user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			client_id varchar(255) NOT NULL,
			scopes text NOT NULL,
			granted_at `+ts+` NOT NULL,
			PRIMARY KEY (user_id, client_id))`,
		`CREATE TABLE signing_keys (
			kid varchar(64) PRIMARY KEY,
			algorithm varchar(16) NOT NULL,
			private_key text NOT NULL,
			created_at `+ts+` NOT NULL)`,
	)
}
