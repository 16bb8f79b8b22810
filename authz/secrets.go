package authz

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
)

// DeriveKey makes an independent key for one purpose from the system secret, so that no two
// uses share key material.
func DeriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("qrcircles/" + purpose))
	return m.Sum(nil)
}

// SecretHasher hashes OAuth client secrets with a keyed hash. Client secrets are 256 random
// bits, not passwords, so a slow hash buys nothing and would cap the token endpoint.
type SecretHasher struct{ key []byte }

// NewSecretHasher returns the hasher keyed from the system secret.
func NewSecretHasher(secret []byte) *SecretHasher {
	return &SecretHasher{key: DeriveKey(secret, "client-secret")}
}

// Hash implements fosite.Hasher.
func (h *SecretHasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	m := hmac.New(sha256.New, h.key)
	m.Write(data)
	return []byte(base64.RawStdEncoding.EncodeToString(m.Sum(nil))), nil
}

// Compare implements fosite.Hasher in constant time.
func (h *SecretHasher) Compare(ctx context.Context, hash, data []byte) error {
	want, _ := h.Hash(ctx, data)
	if subtle.ConstantTimeCompare(hash, want) != 1 {
		return errors.New("secret does not match")
	}
	return nil
}

// sealer encrypts small values at rest (signing keys) with AES-GCM.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte, purpose string) (*sealer, error) {
	block, err := aes.NewCipher(DeriveKey(secret, purpose))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain []byte) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, nil)), nil
}

func (s *sealer) open(sealed string) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, errors.New("sealed value is malformed")
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return nil, fmt.Errorf("sealed value does not open (was QRC_SECRET changed?): %w", err)
	}
	return plain, nil
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the system is unusable without randomness
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashID hashes a random identifier (a session cookie) for storage.
func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
