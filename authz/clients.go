package authz

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"qrcircles"
)

// Grant types a client may be given.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
)

var knownGrants = []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantTokenExchange}

// FirstPartyClientID is the client of the product's own web pages.
const FirstPartyClientID = "qrcircles-web"

// ClientStore is what client management needs of the database.
type ClientStore interface {
	CreateClient(ctx context.Context, c *qrcircles.OAuthClient) error
	Client(ctx context.Context, id string) (*qrcircles.OAuthClient, error)
	ListClients(ctx context.Context) ([]*qrcircles.OAuthClient, error)
	DeleteClient(ctx context.Context, id string) error
	SetClientSecretHash(ctx context.Context, id string, hash []byte) error
	UpdateClient(ctx context.Context, c *qrcircles.OAuthClient) error
}

// Clients registers and manages OAuth clients.
type Clients struct {
	store  ClientStore
	hasher *SecretHasher
	issuer *url.URL
	// changed is told when a client is added, changed or removed (the CORS origin cache).
	changed func()
}

// NewClients returns the client manager; secrets are hashed with a key from the system secret.
func NewClients(store ClientStore, secret []byte, issuer *url.URL) *Clients {
	return &Clients{store: store, hasher: NewSecretHasher(secret), issuer: issuer}
}

// ClientSpec is what an operator asks for when registering a client.
type ClientSpec struct {
	Name         string
	RedirectURIs []string
	Public       bool
	Scopes       []string
	Grants       []string
	WebOrigins   []string // pages that may show the "Join with QR Circles" button
	// AuthMethod is how a confidential client authenticates (TokenAuthMethods); empty means
	// client_secret_basic. A public client's is always "none".
	AuthMethod string
	JWKS       *jose.JSONWebKeySet // private_key_jwt: the client's public keys, or
	JWKSURI    string              // where it publishes them
	// PostLogoutRedirectURIs are where RP-initiated logout may return; RequirePAR refuses
	// authorization requests that were not pushed to /oauth2/par first.
	PostLogoutRedirectURIs []string
	RequirePAR             bool
}

// Create registers a client and returns it with its secret (empty for public clients). The
// secret is shown once: only its keyed hash is stored.
func (m *Clients) Create(ctx context.Context, spec ClientSpec, now time.Time) (*qrcircles.OAuthClient, string, error) {
	if err := spec.validate(); err != nil {
		return nil, "", err
	}
	spec.WebOrigins, _ = NormalizeOrigins(spec.WebOrigins) // validate has checked them
	c := newClient("c_"+randomToken(16), spec, now)
	secret := ""
	if c.TokenEndpointAuthMethod == qrcircles.AuthMethodSecretBasic || c.TokenEndpointAuthMethod == qrcircles.AuthMethodSecretPost {
		secret = randomToken(32)
		c.SecretHash, _ = m.hasher.Hash(ctx, []byte(secret))
	}
	if err := m.store.CreateClient(ctx, c); err != nil {
		return nil, "", err
	}
	m.notify()
	return c, secret, nil
}

// RotateSecret gives a confidential client a new secret; the old one stops working at once.
func (m *Clients) RotateSecret(ctx context.Context, id string) (string, error) {
	c, err := m.store.Client(ctx, id)
	if err != nil {
		return "", err
	}
	if c.Public || c.TokenEndpointAuthMethod == qrcircles.AuthMethodPrivateKeyJWT {
		return "", qrcircles.Fail(qrcircles.EInvalid, "client.no_secret", id, c.TokenEndpointAuthMethod).WithField("client")
	}
	secret := randomToken(32)
	hash, _ := m.hasher.Hash(ctx, []byte(secret))
	return secret, m.store.SetClientSecretHash(ctx, id, hash)
}

// SetWebOrigins replaces the origins whose pages may embed the client's join button; none
// turns the button off.
func (m *Clients) SetWebOrigins(ctx context.Context, id string, origins []string) error {
	norm, err := NormalizeOrigins(origins)
	if err != nil {
		return err
	}
	c, err := m.store.Client(ctx, id)
	if err != nil {
		return err
	}
	if c.FirstParty {
		return qrcircles.Fail(qrcircles.EInvalid, "client.first_party_origin").WithField("client")
	}
	c.WebOrigins = norm
	defer m.notify()
	return m.store.UpdateClient(ctx, c)
}

// List returns every client.
func (m *Clients) List(ctx context.Context) ([]*qrcircles.OAuthClient, error) {
	return m.store.ListClients(ctx)
}

// Delete removes a client and its tokens.
func (m *Clients) Delete(ctx context.Context, id string) error {
	if id == FirstPartyClientID {
		return qrcircles.Fail(qrcircles.EInvalid, "client.first_party_delete").WithField("client")
	}
	defer m.notify()
	return m.store.DeleteClient(ctx, id)
}

func (m *Clients) notify() {
	if m.changed != nil {
		m.changed()
	}
}

// EnsureFirstParty creates the client of the product's own pages and app, or brings it up to
// date: its redirect URIs at the current public URL, its scopes and grants. The pages redeem
// its codes in-process at once; the app (/app) redeems them in the browser and exchanges its
// token for scan sessions like any partner app. It gets no refresh tokens: the app asks again,
// with the browser's sign-in, when its token runs out.
func (m *Clients) EnsureFirstParty(ctx context.Context, now time.Time) error {
	spec := ClientSpec{
		Name:         "QR Circles",
		RedirectURIs: []string{m.issuer.String() + "/auth/callback", m.issuer.String() + AppCallbackPath},
		Public:       true,
		Scopes:       Scopes,
		Grants:       []string{GrantAuthorizationCode, GrantTokenExchange},
	}
	c := newClient(FirstPartyClientID, spec, now)
	c.FirstParty = true
	existing, err := m.store.Client(ctx, FirstPartyClientID)
	switch {
	case qrcircles.CodeOf(err) == qrcircles.ENotFound:
		err = m.store.CreateClient(ctx, c)
		if qrcircles.CodeOf(err) == qrcircles.EConflict {
			return nil // another instance made it first
		}
		return err
	case err != nil:
		return err
	}
	if slices.Equal(existing.RedirectURIs, c.RedirectURIs) && slices.Equal(existing.Scopes, c.Scopes) &&
		slices.Equal(existing.GrantTypes, c.GrantTypes) {
		return nil
	}
	c.CreatedAt = existing.CreatedAt
	return m.store.UpdateClient(ctx, c)
}

// AppCallbackPath is where the first-party app receives its authorization codes.
const AppCallbackPath = "/app/callback"

func newClient(id string, spec ClientSpec, now time.Time) *qrcircles.OAuthClient {
	auth := spec.AuthMethod
	switch {
	case spec.Public:
		auth = qrcircles.AuthMethodNone
	case auth == "":
		auth = qrcircles.AuthMethodSecretBasic
	}
	return &qrcircles.OAuthClient{
		ID:                      id,
		Name:                    spec.Name,
		RedirectURIs:            spec.RedirectURIs,
		GrantTypes:              spec.Grants,
		ResponseTypes:           []string{"code"},
		Scopes:                  spec.Scopes,
		Public:                  spec.Public,
		WebOrigins:              spec.WebOrigins,
		PostLogoutRedirectURIs:  spec.PostLogoutRedirectURIs,
		RequirePAR:              spec.RequirePAR,
		TokenEndpointAuthMethod: auth,
		JWKS:                    keySetJSON(spec.JWKS),
		JWKSURI:                 spec.JWKSURI,
		CreatedAt:               now.UTC(),
		UpdatedAt:               now.UTC(),
	}
}

func (s ClientSpec) validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return qrcircles.Fail(qrcircles.EInvalid, "client.name").WithField("name")
	}
	if len(s.Grants) == 0 {
		return qrcircles.Fail(qrcircles.EInvalid, "client.grant").WithField("grant")
	}
	for _, g := range s.Grants {
		if !slices.Contains(knownGrants, g) {
			return qrcircles.Fail(qrcircles.EInvalid, "client.grant_unknown", g, strings.Join(knownGrants, ", ")).WithField("grant")
		}
	}
	if s.Public && slices.Contains(s.Grants, GrantClientCredentials) {
		return qrcircles.Fail(qrcircles.EInvalid, "client.public_credentials").WithField("grant")
	}
	if slices.Contains(s.Grants, GrantAuthorizationCode) && len(s.RedirectURIs) == 0 {
		return qrcircles.Fail(qrcircles.EInvalid, "client.redirect_needed").WithField("redirect-uri")
	}
	for _, u := range s.RedirectURIs {
		if err := validateRedirectURI(u, s.Public); err != nil {
			return err
		}
	}
	if err := s.validateAuth(); err != nil {
		return err
	}
	if _, err := NormalizeOrigins(s.WebOrigins); err != nil {
		return err
	}
	for _, u := range s.PostLogoutRedirectURIs { // the same rules as redirect URIs
		if err := validateRedirectURI(u, s.Public); err != nil {
			return err
		}
	}
	if len(s.Scopes) == 0 {
		return qrcircles.Fail(qrcircles.EInvalid, "client.scope").WithField("scope")
	}
	for _, sc := range s.Scopes {
		if !slices.Contains(Scopes, sc) {
			return qrcircles.Fail(qrcircles.EInvalid, "client.scope_unknown", sc, strings.Join(Scopes, " ")).WithField("scope")
		}
	}
	return nil
}

// validateAuth checks the authentication method and, for private_key_jwt, the keys.
func (s ClientSpec) validateAuth() error {
	switch {
	case s.Public && s.AuthMethod != "" && s.AuthMethod != qrcircles.AuthMethodNone:
		return qrcircles.Fail(qrcircles.EInvalid, "client.public_auth", s.AuthMethod).WithField("auth-method")
	case !s.Public && s.AuthMethod == qrcircles.AuthMethodNone:
		return qrcircles.Fail(qrcircles.EInvalid, "client.confidential_auth", s.AuthMethod).WithField("auth-method")
	case s.AuthMethod != "" && !slices.Contains(TokenAuthMethods, s.AuthMethod):
		return qrcircles.Fail(qrcircles.EInvalid, "client.auth_unknown", s.AuthMethod, strings.Join(TokenAuthMethods, ", ")).WithField("auth-method")
	case s.AuthMethod != qrcircles.AuthMethodPrivateKeyJWT && (s.JWKS != nil || s.JWKSURI != ""):
		return qrcircles.Fail(qrcircles.EInvalid, "client.keys_unused", qrcircles.AuthMethodPrivateKeyJWT).WithField("jwks")
	case s.AuthMethod != qrcircles.AuthMethodPrivateKeyJWT:
		return nil
	case (s.JWKS != nil) == (s.JWKSURI != ""):
		return qrcircles.Fail(qrcircles.EInvalid, "client.keys_needed", qrcircles.AuthMethodPrivateKeyJWT).WithField("jwks")
	case s.JWKS != nil:
		if err := CheckKeySet(s.JWKS); err != nil {
			return qrcircles.Fail(qrcircles.EInvalid, "client.keys_bad", err).WithField("jwks")
		}
		return nil
	}
	u, err := url.Parse(s.JWKSURI)
	if err != nil || u.User != nil || u.Host == "" || u.Fragment != "" || !(u.Scheme == "https" || (u.Scheme == "http" && fosite.IsLocalhost(u))) {
		return qrcircles.Fail(qrcircles.EInvalid, "client.jwks_uri", s.JWKSURI).WithField("jwks-uri")
	}
	return nil
}

// NormalizeOrigins checks web origins as browsers write them (scheme://host[:port], no path)
// and returns them in that form: lower case, default ports dropped, duplicates removed. Like
// redirect URIs, an origin uses https, or plain http only on a loopback address.
func NormalizeOrigins(raw []string) ([]string, error) {
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(r), "/"))
		if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			return nil, qrcircles.Fail(qrcircles.EInvalid, "client.origin", r).WithField("origin")
		}
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
		if u.Scheme != "https" && !(u.Scheme == "http" && fosite.IsLocalhost(u)) {
			return nil, qrcircles.Fail(qrcircles.EInvalid, "client.origin_https", r).WithField("origin")
		}
		if p := u.Port(); (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
			u.Host = u.Hostname()
			if strings.Contains(u.Host, ":") {
				u.Host = "[" + u.Host + "]"
			}
		}
		if o := u.Scheme + "://" + u.Host; !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// registeredClient is a fosite client the store made of a registered client, which it gives
// back: fosite knows clients by its own interface, the pages and checks here by the domain's.
type registeredClient interface {
	fosite.Client
	Registered() *qrcircles.OAuthClient
}

// registered returns the registered client behind c, or nil when c is not one the store made.
func registered(c fosite.Client) *qrcircles.OAuthClient {
	if r, ok := c.(registeredClient); ok {
		return r.Registered()
	}
	return nil
}

// keySetJSON is a client's key set as registered, or nil when it has none.
func keySetJSON(set *jose.JSONWebKeySet) json.RawMessage {
	if set == nil {
		return nil
	}
	b, _ := json.Marshal(set) // public keys always encode
	return b
}

// EmbedOrigin returns the client that may embed joins on pages of origin, with the origin as
// browsers write it, or an error for people: an unknown client, or an origin the client did
// not register.
func EmbedOrigin(ctx context.Context, store interface {
	Client(ctx context.Context, id string) (*qrcircles.OAuthClient, error)
}, clientID, origin string) (*qrcircles.OAuthClient, string, error) {
	c, err := store.Client(ctx, clientID)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		return nil, "", errUnknownEmbedder
	}
	if err != nil {
		return nil, "", err
	}
	norm, err := NormalizeOrigins([]string{origin})
	if err != nil || c.FirstParty || !slices.Contains(c.WebOrigins, norm[0]) {
		return nil, "", errUnknownEmbedder
	}
	return c, norm[0], nil
}

var errUnknownEmbedder = qrcircles.Fail(qrcircles.EForbidden, "authz.embedder")
