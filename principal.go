package qrcircles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	return !p.ScanTime.IsZero() && p.HasScope(ScopeCirclesJoin) && slices.Contains(p.Audience, circleURL)
}

// Verifier checks a bearer token; an inactive or unknown token is an error. A verifier that
// could not tell (its database or the authorization server is unavailable) returns an error
// wrapping ErrVerifierUnavailable: the token may be good, and the caller answers "try again".
type Verifier interface {
	Verify(ctx context.Context, token string) (Principal, error)
}

// ErrVerifierUnavailable is the error of a verifier that could not check a token.
var ErrVerifierUnavailable error = unavailableError{}

type unavailableError struct{}

func (unavailableError) Error() string { return "token verification unavailable" }

// Unavailable lets the problem+json writer answer 503 for it.
func (unavailableError) Unavailable() bool { return true }

// Scopes of the resource server's API. Each route needs one of a few of them; the event
// stream sends each event type only to tokens with the scope of its content.
const (
	ScopeCirclesRead   = "circles:read"   // circles, members, one's own requests; circle events
	ScopeCirclesJoin   = "circles:join"   // join through scan sessions, leave, one's own standing
	ScopeCirclesManage = "circles:manage" // create and run circles, announce
	ScopeCardsRead     = "cards:read"     // cards, contacts, card requests; card events
	ScopeCardsWrite    = "cards:write"    // one's own card, visibility, privacy, contacts
	ScopeMessagesRead  = "messages:read"  // direct messages, announcements, mutes; their events
	ScopeMessagesWrite = "messages:write" // send direct messages, mute and unmute circles
)

// IsScanSession reports whether the token is bound to one circle: a scan session, which
// carries the scan time and the circle's URL as its audience. Any token with an audience
// counts, scan time or not: every audience this server grants is a circle URL, and a token
// meant for one circle is good for nothing else.
func (p Principal) IsScanSession() bool { return !p.ScanTime.IsZero() || len(p.Audience) > 0 }

// TokenKey is what identifies a token, by its signature, in the database and in the memory
// of verified tokens: a hash, so that neither keeps a token, and of the same length for
// every kind of token.
func TokenKey(signature string) string {
	sum := sha256.Sum256([]byte(signature))
	return hex.EncodeToString(sum[:])
}
