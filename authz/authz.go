// Package authz is the OAuth 2.0 / OpenID Connect authorization server of QR Circles, built
// on fosite. fosite speaks the protocol; this package decides who the user is (phone login and
// registration), asks for consent, and keeps clients and signing keys.
package authz

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"qrcircles"
	"qrcircles/authz/phoneauth"
	"qrcircles/templates"
)

// Token lifetimes.
const (
	AccessTokenLifespan   = time.Hour
	RefreshTokenLifespan  = 30 * 24 * time.Hour
	AuthorizeCodeLifespan = 5 * time.Minute
	IDTokenLifespan       = time.Hour
	LoginSessionLifespan  = 30 * 24 * time.Hour
)

// Store is everything the authorization server keeps in the database.
type Store interface {
	fosite.Storage
	oauth2.CoreStorage
	KeyStore
	ClientStore
	UserStore
	ScanStore
	fosite.PARStorage
	RevocationLog
}

// Options configure the server.
type Options struct {
	Issuer        *url.URL
	Secret        []byte
	Store         Store
	Phone         *phoneauth.Service
	Pages         *templates.Renderer
	Logger        *slog.Logger
	DefaultRegion string
	// Now is the clock of the pages and SMS limits; tests move it.
	Now func() time.Time
	// CodeLifespan overrides AuthorizeCodeLifespan (tests use a tiny one).
	CodeLifespan time.Duration
	// Circles resolves circle URLs for scan sessions.
	Circles CircleLookup
	// ScanSessionLifespan overrides DefaultScanSessionLifespan.
	ScanSessionLifespan time.Duration
	// PARLifespan overrides PARLifespan (tests use a tiny one).
	PARLifespan time.Duration
	// SignIn keeps circles' budgets of codes and spent proofs of work; without it every
	// sign-in counts against its IP and a busy network is refused.
	SignIn SignInStore
	// ProofMaxNumber overrides DefaultProofMaxNumber (tests use a small one).
	ProofMaxNumber int64
	// Passkeys keeps passkeys; nil turns sign-in with a passkey off.
	Passkeys PasskeyStore
}

// Server is the authorization server.
type Server struct {
	issuer  *url.URL
	secure  bool
	oauth   fosite.OAuth2Provider
	config  *fosite.Config
	store   Store
	keys    *Keys
	clients *Clients
	phone   *phoneauth.Service
	pages   *templates.Renderer
	log     *slog.Logger
	now     func() time.Time
	csrfKey []byte
	core    *oauth2.HMACSHAStrategy
	// scanLifespan is how long a scan session lasts.
	scanLifespan time.Duration
	onScan       ScanHandler
	origins      *origins // web origins answered by CORS
	resumeKey    []byte   // MACs the time an authorization request came, across sign-in
	circles      CircleLookup
	signIn       SignInStore
	proofKey     []byte // signs the proof-of-work challenges
	proofMax     int64
	passkeys     *passkeys
	verified     *verifiedTokens // access tokens checked without the database
}

// New builds the server, makes the first signing key and the first-party client if missing.
func New(ctx context.Context, o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	keys, err := NewKeys(o.Store, o.Secret)
	if err != nil {
		return nil, err
	}
	if err := keys.EnsureKey(ctx, o.Now()); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	hasher := NewSecretHasher(o.Secret)
	s := &Server{
		issuer:  o.Issuer,
		secure:  o.Issuer.Scheme == "https",
		store:   o.Store,
		keys:    keys,
		clients: NewClients(o.Store, o.Secret, o.Issuer),
		phone:   o.Phone,
		pages:   o.Pages,
		log:     o.Logger,
		now:     o.Now,
		csrfKey: DeriveKey(o.Secret, "csrf"),
		origins: &origins{list: o.Store.ListClients, log: o.Logger}, resumeKey: DeriveKey(o.Secret, "authorize-resume"),
	}
	s.circles, s.signIn, s.proofKey, s.proofMax = o.Circles, o.SignIn, DeriveKey(o.Secret, "proof-of-work"), o.ProofMaxNumber
	if s.proofMax <= 0 {
		s.proofMax = DefaultProofMaxNumber
	}
	s.clients.changed = s.origins.invalidate
	s.onScan = func(c *gin.Context, _ qrcircles.ScanResult) { c.Redirect(http.StatusSeeOther, "/") }
	s.config = fositeConfig(o.Issuer, o.Secret, hasher)
	s.config.ClientAuthenticationStrategy = newClientAuth(o.Store, hasher, o.Issuer, o.Now).authenticate
	if o.CodeLifespan > 0 {
		s.config.AuthorizeCodeLifespan = o.CodeLifespan
	}
	if o.PARLifespan > 0 {
		s.config.PushedAuthorizeContextLifespan = o.PARLifespan
	}
	if o.ScanSessionLifespan <= 0 {
		o.ScanSessionLifespan = DefaultScanSessionLifespan
	}
	s.scanLifespan = o.ScanSessionLifespan
	s.oauth, s.core = newProvider(s.config, o.Store, keys)
	s.verified = newVerifiedTokens(o.Store, time.Now) // fosite checks expiry by the real clock
	s.config.TokenEndpointHandlers.Append(&tokenExchange{
		issuer: o.Issuer.String(), lifespan: o.ScanSessionLifespan, store: o.Store, strategy: s.core,
		circles: o.Circles, now: o.Now, verified: s.verified,
	})
	s.config.TokenEndpointHandlers.Append(scanCodeLifespan{lifespan: o.ScanSessionLifespan, now: o.Now})
	if o.Passkeys != nil && net.ParseIP(o.Issuer.Hostname()) == nil { // WebAuthn needs a domain name, not an IP address
		if s.passkeys, err = newPasskeys(o.Passkeys, o.Issuer, o.Secret); err != nil {
			return nil, err
		}
	}
	if err := s.clients.EnsureFirstParty(ctx, o.Now()); err != nil {
		return nil, fmt.Errorf("first-party client: %w", err)
	}
	return s, nil
}

// Keys returns the signing keys (for `qrcircles keys rotate`).
func (s *Server) Keys() *Keys { return s.keys }

// Clients returns the client manager (for `qrcircles client …`).
func (s *Server) Clients() *Clients { return s.clients }

// Provider returns the fosite provider, for the resource server's local token checks.
func (s *Server) Provider() fosite.OAuth2Provider { return s.oauth }

func fositeConfig(issuer *url.URL, secret []byte, hasher fosite.Hasher) *fosite.Config {
	return &fosite.Config{
		AccessTokenLifespan:            AccessTokenLifespan,
		RefreshTokenLifespan:           RefreshTokenLifespan,
		AuthorizeCodeLifespan:          AuthorizeCodeLifespan,
		IDTokenLifespan:                IDTokenLifespan,
		IDTokenIssuer:                  issuer.String(),
		AccessTokenIssuer:              issuer.String(),
		TokenURL:                       issuer.String() + "/oauth2/token",
		GlobalSecret:                   DeriveKey(secret, "fosite-hmac"),
		ClientSecretsHasher:            hasher,
		ScopeStrategy:                  fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:       circleAudiences(issuer.String()),
		EnforcePKCEForPublicClients:    true,
		EnablePKCEPlainChallengeMethod: false,
		RefreshTokenScopes:             []string{"offline_access"},
		RedirectSecureChecker:          redirectSecure,
		MinParameterEntropy:            fosite.MinParameterEntropy,
		SendDebugMessagesToClients:     false,
		PushedAuthorizeContextLifespan: PARLifespan,
	}
}

// newProvider enables exactly the grants RFC 9700 allows: authorization code with PKCE, refresh
// tokens, client credentials, OpenID Connect on the code flow, introspection and revocation,
// and pushed authorization requests.
// No implicit grant, no password grant.
func newProvider(cfg *fosite.Config, store Store, keys *Keys) (fosite.OAuth2Provider, *oauth2.HMACSHAStrategy) {
	core := compose.NewOAuth2HMACStrategy(cfg)
	strategy := &compose.CommonStrategy{
		CoreStrategy:               core,
		OpenIDConnectTokenStrategy: compose.NewOpenIDConnectStrategy(keys.Current, cfg),
		Signer:                     &jwt.DefaultSigner{GetPrivateKey: keys.Current},
	}
	return compose.Compose(cfg, store, strategy,
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2PKCEFactory,
		refreshGrantFactory, // fosite's, with the scope parameter
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OpenIDConnectRefreshFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
		compose.PushedAuthorizeHandlerFactory,
	), core
}

var _ openid.Session = (*Session)(nil)

// circleAudiences lets any client ask for a circle URL of this server as audience (that is
// what a scan session is for); other audiences must be registered on the client.
func circleAudiences(issuer string) fosite.AudienceMatchingStrategy {
	return func(haystack []string, needle []string) error {
		var others []string
		for _, n := range needle {
			if _, ok := circleCode(issuer, n); !ok {
				others = append(others, n)
			}
		}
		return fosite.DefaultAudienceMatchingStrategy(haystack, others)
	}
}
