package authz

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ory/fosite"
)

// TokenSpec describes an access token issued directly, without a grant: for benchmarks and
// operators' tools that must make many tokens, never for anything a request can reach.
type TokenSpec struct {
	ClientID string
	UserID   int64
	Phone    string
	Scopes   []string
	Audience []string
	ScanTime time.Time // makes it a scan session
	Lifespan time.Duration
}

// IssueAccessToken stores and returns an access token exactly as the token endpoint would.
func (s *Server) IssueAccessToken(ctx context.Context, spec TokenSpec) (string, error) {
	client, err := s.store.GetClient(ctx, spec.ClientID)
	if err != nil {
		return "", fmt.Errorf("client %s: %w", spec.ClientID, err)
	}
	now := s.now().UTC()
	sess := NewSession()
	sess.Subject = strconv.FormatInt(spec.UserID, 10)
	sess.Username = spec.Phone
	sess.ScanTime = spec.ScanTime
	sess.SetExpiresAt(fosite.AccessToken, now.Add(spec.Lifespan))
	req := fosite.NewAccessRequest(sess)
	req.RequestedAt = now
	req.Client = client
	req.GrantTypes = fosite.Arguments{GrantTokenExchange}
	for _, sc := range spec.Scopes {
		req.GrantScope(sc)
	}
	for _, a := range spec.Audience {
		req.GrantAudience(a)
	}
	return issueAccessToken(ctx, s.core, s.store, s.verified, req)
}

// ScanSessionLifespan is how long scan sessions last.
func (s *Server) ScanSessionLifespan() time.Duration { return s.scanLifespan }
