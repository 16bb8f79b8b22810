package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// CodeLength is the number of digits of a code.
const CodeLength = 6

// Why a challenge no longer accepts a code.
var (
	ErrUnknownChallenge = errors.New("otp: no such challenge")
	ErrExpired          = errors.New("otp: code expired")
	ErrUsed             = errors.New("otp: code already used")
	ErrDead             = errors.New("otp: too many wrong tries")
)

// Challenge is one code sent to one phone. When the server made the code, only its keyed
// hash is kept (CodeHash); when the provider made it, ProviderRef names the provider's
// verification instead.
type Challenge struct {
	ID          string
	Phone       string // E.164
	Provider    string
	CodeHash    []byte
	ProviderRef string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	WrongTries  int
	UsedAt      time.Time // zero until the right code is given
}

// Expired reports whether the code's time is up: it is valid strictly before ExpiresAt.
func (c Challenge) Expired(now time.Time) bool { return !now.Before(c.ExpiresAt) }

// Used reports whether the right code was already given once.
func (c Challenge) Used() bool { return !c.UsedAt.IsZero() }

// Dead reports whether the challenge has had maxWrongTries wrong codes.
func (c Challenge) Dead(maxWrongTries int) bool { return c.WrongTries >= maxWrongTries }

// TriesLeft is the number of wrong codes the challenge still survives.
func (c Challenge) TriesLeft(maxWrongTries int) int { return max(maxWrongTries-c.WrongTries, 0) }

// Usable returns nil when the challenge still accepts a code, else ErrUsed, ErrDead or
// ErrExpired, in that order.
func (c Challenge) Usable(p Policy, now time.Time) error {
	switch {
	case c.Used():
		return ErrUsed
	case c.Dead(p.MaxWrongTries):
		return ErrDead
	case c.Expired(now):
		return ErrExpired
	}
	return nil
}

// NewChallenge starts a challenge for phone at now, expiring after the policy's CodeTTL.
// The ID is 128 random bits.
func NewChallenge(phone, provider string, p Policy, now time.Time) (Challenge, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return Challenge{}, fmt.Errorf("challenge id: %w", err)
	}
	return Challenge{
		ID:        base64.RawURLEncoding.EncodeToString(b),
		Phone:     phone,
		Provider:  provider,
		CreatedAt: now,
		ExpiresAt: now.Add(p.CodeTTL),
	}, nil
}

// NewCode returns CodeLength uniformly random decimal digits; leading zeros are kept.
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("new code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// HashCode is the keyed hash kept instead of the code. The challenge ID is part of the
// message, so one code sent twice never hashes the same.
func HashCode(secret []byte, challengeID, code string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(challengeID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// CodeMatches compares code with the challenge's hash in constant time.
func CodeMatches(secret []byte, c Challenge, code string) bool {
	if len(c.CodeHash) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare(HashCode(secret, c.ID, code), c.CodeHash) == 1
}

// ParseCode reads a code as a person types it: spaces and dashes are ignored, full-width
// digits are accepted. ok is false unless exactly CodeLength digits remain.
func ParseCode(input string) (code string, ok bool) {
	var b strings.Builder
	for _, r := range input {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + r - '０')
		case r == ' ' || r == '-' || r == '\t' || r == '\u3000':
		default:
			return "", false
		}
	}
	code = b.String()
	return code, len(code) == CodeLength
}
