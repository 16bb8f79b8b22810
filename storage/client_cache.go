package storage

import (
	"context"
	"time"

	"github.com/ory/fosite"
)

// tokenClientTTL is how long a token's client is reused without asking the database. Every
// verified access token needs its client; nothing that verification reads of it can change
// in a way that matters within this time (a deleted client's tokens are deleted with it, and
// secrets are not checked here).
const tokenClientTTL = 5 * time.Second

// tokenClient is GetClient for rebuilding stored token requests.
func (db *DB) tokenClient(ctx context.Context, id string) (fosite.Client, error) {
	return db.clients.Fetch(id, time.Now(), tokenClientTTL, func() (fosite.Client, error) { return db.GetClient(ctx, id) })
}
