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

type cachedClient struct {
	client  fosite.Client
	expires time.Time
}

// tokenClient is GetClient for rebuilding stored token requests.
func (db *DB) tokenClient(ctx context.Context, id string) (fosite.Client, error) {
	if v, ok := db.clients.Load(id); ok {
		if c := v.(cachedClient); time.Now().Before(c.expires) {
			return c.client, nil
		}
	}
	c, err := db.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	db.clients.Store(id, cachedClient{c, time.Now().Add(tokenClientTTL)})
	return c, nil
}
