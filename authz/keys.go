package authz

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v3"

	"qrcircles"
)

// KeyStore is what the signing keys need of the database.
type KeyStore interface {
	SigningKeys(ctx context.Context) ([]qrcircles.SigningKey, error)
	AddSigningKey(ctx context.Context, k qrcircles.SigningKey) error
	DeleteSigningKeys(ctx context.Context, kids []string) error
}

// Keys manages the RSA keys that sign ID tokens. The newest key signs; an older key stays in
// the JWKS until every token it signed has expired.
type Keys struct {
	store  KeyStore
	sealer *sealer
	// keep is how long a replaced key is still published: the longest token lifetime.
	keep time.Duration

	mu       sync.Mutex
	current  *jose.JSONWebKey
	loadedAt time.Time
}

// signerCacheTTL bounds how long an instance signs with a key another instance replaced.
const signerCacheTTL = time.Minute

// NewKeys returns the key manager. A replaced key is published for as long as the longest
// token it may have signed can live.
func NewKeys(store KeyStore, secret []byte) (*Keys, error) {
	s, err := newSealer(secret, "signing-keys")
	if err != nil {
		return nil, err
	}
	keep := max(AccessTokenLifespan, IDTokenLifespan)
	return &Keys{store: store, sealer: s, keep: keep}, nil
}

// EnsureKey makes the first signing key when there is none.
func (k *Keys) EnsureKey(ctx context.Context, now time.Time) error {
	ks, err := k.store.SigningKeys(ctx)
	if err != nil {
		return err
	}
	if len(ks) > 0 {
		return nil
	}
	_, err = k.Rotate(ctx, now)
	return err
}

// Rotate adds a new signing key, drops keys no longer needed, and returns the new key's ID.
func (k *Keys) Rotate(ctx context.Context, now time.Time) (string, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("generating signing key: %w", err)
	}
	sealed, err := k.sealer.seal(x509.MarshalPKCS1PrivateKey(priv))
	if err != nil {
		return "", err
	}
	kid := now.UTC().Format("20060102T150405Z") + "-" + randomToken(6)
	if err := k.store.AddSigningKey(ctx, qrcircles.SigningKey{KID: kid, Algorithm: "RS256", PrivateKey: sealed, CreatedAt: now.UTC()}); err != nil {
		return "", err
	}
	k.mu.Lock()
	k.current = nil
	k.mu.Unlock()
	return kid, k.prune(ctx, now)
}

// prune deletes keys replaced longer ago than keep.
func (k *Keys) prune(ctx context.Context, now time.Time) error {
	ks, err := k.store.SigningKeys(ctx)
	if err != nil {
		return err
	}
	var old []string
	for i := 1; i < len(ks); i++ {
		replacedAt := ks[i-1].CreatedAt
		if now.Sub(replacedAt) > k.keep {
			old = append(old, ks[i].KID)
		}
	}
	return k.store.DeleteSigningKeys(ctx, old)
}

// Current returns the key that signs now, cached for a minute.
func (k *Keys) Current(ctx context.Context) (any, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.current != nil && time.Since(k.loadedAt) < signerCacheTTL {
		return k.current, nil
	}
	ks, err := k.store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("no signing key")
	}
	jwk, err := k.open(ks[0])
	if err != nil {
		return nil, err
	}
	k.current, k.loadedAt = jwk, time.Now()
	return jwk, nil
}

// Public returns the published key set.
func (k *Keys) Public(ctx context.Context, now time.Time) (jose.JSONWebKeySet, error) {
	ks, err := k.store.SigningKeys(ctx)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for i, sk := range ks {
		if i > 0 && now.Sub(ks[i-1].CreatedAt) > k.keep {
			break
		}
		jwk, err := k.open(sk)
		if err != nil {
			return set, err
		}
		set.Keys = append(set.Keys, jwk.Public())
	}
	return set, nil
}

func (k *Keys) open(sk qrcircles.SigningKey) (*jose.JSONWebKey, error) {
	der, err := k.sealer.open(sk.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", sk.KID, err)
	}
	priv, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", sk.KID, err)
	}
	return &jose.JSONWebKey{Key: priv, KeyID: sk.KID, Algorithm: sk.Algorithm, Use: "sig"}, nil
}
