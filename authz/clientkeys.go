package authz

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v3"
)

// The key sets of private_key_jwt clients that registered a jwks_uri are fetched and kept a
// while, so a token request costs no fetch; a key the cache lacks triggers one fetch (the
// client may have rotated), at most every jwksRefetchEvery per URI.
const (
	jwksCacheFor     = 5 * time.Minute
	jwksRefetchEvery = 30 * time.Second
	jwksFetchTimeout = 10 * time.Second
	maxJWKSBytes     = 64 << 10
)

type remoteKeys struct {
	http *http.Client
	now  func() time.Time
	mu   sync.Mutex
	sets map[string]fetchedKeys
}

type fetchedKeys struct {
	set *jose.JSONWebKeySet
	at  time.Time
}

func newRemoteKeys(now func() time.Time) *remoteKeys {
	return &remoteKeys{http: &http.Client{Timeout: jwksFetchTimeout}, now: now, sets: map[string]fetchedKeys{}}
}

// get returns the key set at uri: the cached one while it is fresh, unless refresh asks for a
// new one and the cached one is older than jwksRefetchEvery.
func (r *remoteKeys) get(ctx context.Context, uri string, refresh bool) (*jose.JSONWebKeySet, error) {
	r.mu.Lock()
	cached, ok := r.sets[uri]
	r.mu.Unlock()
	age := r.now().Sub(cached.at)
	if ok && age < jwksCacheFor && (!refresh || age < jwksRefetchEvery) {
		return cached.set, nil
	}
	set, err := FetchKeySet(ctx, r.http, uri)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.sets[uri] = fetchedKeys{set: set, at: r.now()}
	r.mu.Unlock()
	return set, nil
}

// FetchKeySet reads the key set at uri. A published set may hold other keys too (for
// encryption, say); signingKeys picks the usable ones.
func FetchKeySet(ctx context.Context, client *http.Client, uri string) (*jose.JSONWebKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", uri, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: HTTP %d", uri, res.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", uri, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("the key set at %s is larger than %d bytes", uri, maxJWKSBytes)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("the key set at %s: %w", uri, err)
	}
	return &set, nil
}

func tooSmallRSA(k jose.JSONWebKey) bool {
	pub, ok := k.Key.(*rsa.PublicKey)
	return ok && pub.N.BitLen() < 2048
}
