// Package tokens verifies the bearer tokens the resource server receives: locally through the
// authorization server's fosite provider when both run in one process, or through RFC 7662
// introspection when they run apart.
package tokens

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// Principal is who a verified access token speaks for, and what it allows.
type Principal struct {
	Subject   string
	Phone     string // the user's verified phone, when the token is a user's
	ClientID  string
	Scopes    []string
	Audience  []string
	ScanTime  time.Time // set only on scan sessions
	ExpiresAt time.Time
}

// UserID returns the user the token belongs to; ok is false for a client's own token.
func (p Principal) UserID() (int64, bool) {
	id, err := strconv.ParseInt(p.Subject, 10, 64)
	return id, err == nil && id > 0
}

// HasScope reports whether the token carries the scope.
func (p Principal) HasScope(s string) bool { return slices.Contains(p.Scopes, s) }

// IsScanSessionFor reports whether the token is a scan session for the circle URL.
func (p Principal) IsScanSessionFor(circleURL string) bool {
	return !p.ScanTime.IsZero() && p.HasScope("circles:join") && slices.Contains(p.Audience, circleURL)
}

// Verifier checks a bearer token; an inactive or unknown token is an error. A verifier that
// could not tell (its database or the authorization server is unavailable) returns an error
// wrapping ErrUnavailable: the token may be good, and the caller answers "try again".
type Verifier interface {
	Verify(ctx context.Context, token string) (Principal, error)
}

// ErrUnavailable is the error of a verifier that could not check a token.
var ErrUnavailable error = unavailableError{}

type unavailableError struct{}

func (unavailableError) Error() string { return "token verification unavailable" }

// Unavailable lets the problem+json writer answer 503 for it.
func (unavailableError) Unavailable() bool { return true }
