package authz

import (
	"time"

	"github.com/mohae/deepcopy"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"
)

// Scopes the server knows.
var Scopes = []string{
	"openid", "profile", "phone", "offline_access",
	"circles:read", "circles:join", "circles:manage", "cards:read", "cards:write",
	"messages:read", "messages:write",
}

// Session is what fosite keeps with every token: the OpenID Connect session, plus what QR
// Circles adds to access tokens.
type Session struct {
	openid.DefaultSession `json:"oidc"`
	// ScanTime is the server time of a circle scan; only scan sessions carry it.
	ScanTime time.Time `json:"scan_time,omitempty"`
	// RefreshScope is, while a refresh narrows the scope of its access token, the whole
	// scope the new refresh token keeps (see refreshGrant).
	RefreshScope []string `json:"refresh_scope,omitempty"`
}

var _ fosite.Session = (*Session)(nil)

// NewSession returns an empty session for fosite to fill from storage.
func NewSession() *Session {
	return &Session{DefaultSession: openid.DefaultSession{Claims: &jwt.IDTokenClaims{}, Headers: &jwt.Headers{}}}
}

// GetExtraClaims puts the scan time into introspection responses (as "scan_time", in Unix
// seconds), so that a resource server running apart can read it.
func (s *Session) GetExtraClaims() map[string]any {
	if s.ScanTime.IsZero() {
		return nil
	}
	return map[string]any{"scan_time": s.ScanTime.Unix()}
}

// GetUsername is empty so that introspection never hands a user's phone number to a client;
// the number stays in the session for the in-process checks that need it.
func (s *Session) GetUsername() string { return "" }

// Clone implements fosite.Session.
func (s *Session) Clone() fosite.Session {
	if s == nil {
		return nil
	}
	return deepcopy.Copy(s).(fosite.Session)
}
