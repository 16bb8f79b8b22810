package storage

import "gorm.io/gorm"

// migrateOAuth creates the tables behind fosite's storage interfaces. Every token kind lives in
// oauth_sessions, keyed by (kind, signature); request_id groups a token family (a grant and
// every token refreshed from it), so revoking a family is one indexed statement.
func migrateOAuth(tx *gorm.DB, dialect string) error {
	ts, bytes := timestamp(dialect), "blob"
	if dialect == Postgres {
		bytes = "bytea"
	}
	return execAll(tx,
		`CREATE TABLE oauth_clients (
			id varchar(255) PRIMARY KEY,
			secret_hash `+bytes+`,
			name text NOT NULL,
			redirect_uris text NOT NULL,
			grant_types text NOT NULL,
			response_types text NOT NULL,
			scopes text NOT NULL,
			audience text NOT NULL,
			public boolean NOT NULL,
			first_party boolean NOT NULL,
			token_endpoint_auth_method varchar(64) NOT NULL,
			created_at `+ts+` NOT NULL,
			updated_at `+ts+` NOT NULL)`,
		`CREATE TABLE oauth_sessions (
			kind varchar(16) NOT NULL,
			signature varchar(64) NOT NULL,
			request_id varchar(255) NOT NULL,
			client_id varchar(255) NOT NULL REFERENCES oauth_clients (id),
			subject text NOT NULL,
			active boolean NOT NULL,
			requested_at `+ts+` NOT NULL,
			expires_at `+ts+`,
			request_data text NOT NULL,
			session_data text NOT NULL,
			PRIMARY KEY (kind, signature))`,
		`CREATE INDEX oauth_sessions_request_id ON oauth_sessions (request_id, kind)`,
		`CREATE INDEX oauth_sessions_expires_at ON oauth_sessions (expires_at)`,
		`CREATE INDEX oauth_sessions_client_id ON oauth_sessions (client_id)`,
		`CREATE TABLE oauth_jti (
			jti text PRIMARY KEY,
			expires_at `+ts+` NOT NULL)`,
		`CREATE INDEX oauth_jti_expires_at ON oauth_jti (expires_at)`,
	)
}
