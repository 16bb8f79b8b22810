package storage

import "gorm.io/gorm"

// migrateSMS creates the tables of SMS login: the challenges (one per code sent) and the
// fixed-window counters behind the sending and checking limits.
func migrateSMS(tx *gorm.DB, dialect string) error {
	ts, bin := timestamp(dialect), "blob"
	if dialect == Postgres {
		bin = "bytea"
	}
	return execAll(tx,
		`CREATE TABLE otp_challenges (
			id varchar(64) PRIMARY KEY,
			phone varchar(32) NOT NULL,
			provider varchar(32) NOT NULL,
			code_hash `+bin+`,
			provider_ref varchar(128) NOT NULL DEFAULT '',
			created_at `+ts+` NOT NULL,
			expires_at `+ts+` NOT NULL,
			wrong_tries integer NOT NULL DEFAULT 0,
			used_at `+ts+`)`,
		`CREATE INDEX otp_challenges_expires_at ON otp_challenges (expires_at)`,
		`CREATE TABLE rate_counters (
			key varchar(200) PRIMARY KEY,
			window_start `+ts+` NOT NULL,
			hits integer NOT NULL)`,
		`CREATE INDEX rate_counters_window_start ON rate_counters (window_start)`,
	)
}
