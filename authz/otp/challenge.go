package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"

	"qrcircles"
)

// CodeLength is the number of digits of a code.
const CodeLength = 6

// Why a challenge no longer accepts a code: the domain's errors, under the names of the rules.
var (
	ErrUnknownChallenge = qrcircles.ErrOTPUnknown
	ErrExpired          = qrcircles.ErrOTPExpired
	ErrUsed             = qrcircles.ErrOTPUsed
	ErrDead             = qrcircles.ErrOTPDead
)

// Challenge is one code sent to one phone (see qrcircles.OTPChallenge).
type Challenge = qrcircles.OTPChallenge

// Expired reports whether the code's time is up: it is valid strictly before ExpiresAt.
func Expired(c Challenge, now time.Time) bool { return !now.Before(c.ExpiresAt) }

// Used reports whether the right code was already given once.
func Used(c Challenge) bool { return !c.UsedAt.IsZero() }

// Dead reports whether the challenge has had the policy's most wrong codes.
func (p Policy) Dead(c Challenge) bool { return c.WrongTries >= p.MaxWrongTries }

// TriesLeft is the number of wrong codes the challenge still survives.
func (p Policy) TriesLeft(c Challenge) int { return max(p.MaxWrongTries-c.WrongTries, 0) }

// Usable returns nil when the challenge still accepts a code, else ErrUsed, ErrDead or
// ErrExpired, in that order.
func (p Policy) Usable(c Challenge, now time.Time) error {
	switch {
	case Used(c):
		return ErrUsed
	case p.Dead(c):
		return ErrDead
	case Expired(c, now):
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
