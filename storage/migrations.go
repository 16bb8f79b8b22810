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
	{2, "oauth2 clients and token sessions", migrateOAuth},
	{3, "users, login sessions, consents and signing keys", migrateUsers},
	{4, "sms challenges and rate limits", migrateSMS},
	{5, "circles, join requests, memberships, exclusions and user settings", migrateCircles},
	{6, "cards, visibility, contacts and messages", migrateCards},
	{7, "event log", migrateEvents},
	{8, "messages and mutes", migrateMessages},
	{9, "audit log", migrateAudit},
	{10, "web origins of clients and the return address of browser scans", func(tx *gorm.DB, _ string) error {
		return execAll(tx,
			`ALTER TABLE oauth_clients ADD COLUMN web_origins text NOT NULL DEFAULT '[]'`,
			`ALTER TABLE pending_scans ADD COLUMN return_to text NOT NULL DEFAULT ''`)
	}},
	{11, "public keys of clients that authenticate with private_key_jwt", func(tx *gorm.DB, _ string) error {
		return execAll(tx,
			`ALTER TABLE oauth_clients ADD COLUMN jwks text NOT NULL DEFAULT ''`,
			`ALTER TABLE oauth_clients ADD COLUMN jwks_uri text NOT NULL DEFAULT ''`)
	}},
	{12, "post-logout redirect URIs and the PAR requirement of clients", func(tx *gorm.DB, _ string) error {
		return execAll(tx,
			`ALTER TABLE oauth_clients ADD COLUMN post_logout_redirect_uris text NOT NULL DEFAULT '[]'`,
			`ALTER TABLE oauth_clients ADD COLUMN require_par boolean NOT NULL DEFAULT false`)
	}},
	{13, "the version of a circle's rules, which a join decided in advance checks", func(tx *gorm.DB, _ string) error {
		return tx.Exec(`ALTER TABLE circles ADD COLUMN rules_version bigint NOT NULL DEFAULT 0`).Error
	}},
	{14, "on-site-only circles", func(tx *gorm.DB, _ string) error {
		return execAll(tx, `ALTER TABLE circles ADD COLUMN on_site varchar(16) NOT NULL DEFAULT ''`)
	}},
	{15, "join funnel counters of circles", migrateFunnel},
	{16, "SMS budgets of circles and deleted accounts", func(tx *gorm.DB, dialect string) error {
		return execAll(tx,
			`ALTER TABLE circles ADD COLUMN sms_budget integer NOT NULL DEFAULT 0`,
			`ALTER TABLE users ADD COLUMN deleted_at `+timestamp(dialect))
	}},
	{17, "spent proof-of-work solutions", func(tx *gorm.DB, dialect string) error {
		return execAll(tx,
			`CREATE TABLE proofs_spent (
				id varchar(64) PRIMARY KEY,
				expires_at `+timestamp(dialect)+` NOT NULL)`,
			`CREATE INDEX proofs_spent_expires_at ON proofs_spent (expires_at)`)
	}},
	{20, "passkeys", migratePasskeys},
	{21, "passkey ceremonies in progress", migratePasskeyCeremonies},
	{24, "when a member answered the welcome of a circle", func(tx *gorm.DB, dialect string) error {
		// Members from before the welcome existed have long found their way: not welcomed again.
		return execAll(tx,
			`ALTER TABLE memberships ADD COLUMN welcomed_at `+timestamp(dialect),
			`UPDATE memberships SET welcomed_at = joined_at`)
	}},
	{25, "join requests and announcements keyed by their circle", migrateCircleKeys},
	{26, "circle codes in a table of their own", migrateCircleCodes},
	{27, "the log of revoked access tokens, which instances read to forget them", migrateRevokedTokens},
	{28, "the seats of capped circles, which joins claim instead of counting the members", migrateSeats},
	{29, "a guessed join as one call that runs only what the person and the circle need", migrateJoinGuessed},
	{30, "guessed joins committed in batches, whose calls wait for no lock held elsewhere", migrateBatchedJoins},
}

// timestamp is the column type for a moment in time.
func timestamp(dialect string) string {
	if dialect == Postgres {
		return "timestamptz"
	}
	return "datetime"
}

// execAll runs each statement in order.
func execAll(tx *gorm.DB, stmts ...string) error {
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}

// serialKey is the column type of a generated integer primary key.
func serialKey(dialect string) string {
	if dialect == Postgres {
		return "bigserial PRIMARY KEY"
	}
	return "INTEGER PRIMARY KEY AUTOINCREMENT"
}
