package qrcircles

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Token endpoint authentication methods of an OAuth client.
const (
	AuthMethodNone          = "none"
	AuthMethodSecretBasic   = "client_secret_basic"
	AuthMethodSecretPost    = "client_secret_post"
	AuthMethodPrivateKeyJWT = "private_key_jwt"
)

// OAuthClient is a registered OAuth 2.0 client. SecretHash is computed by the authorization
// server; storage only keeps the bytes. Storage hands fosite the client behind its own
// fosite.Client, which gives this one back (see authz).
type OAuthClient struct {
	ID                      string
	SecretHash              []byte
	Name                    string
	RedirectURIs            []string
	GrantTypes              []string
	ResponseTypes           []string
	Scopes                  []string
	Audience                []string
	WebOrigins              []string // origins whose pages may embed the join button
	PostLogoutRedirectURIs  []string // where RP-initiated logout may send the browser back to
	RequirePAR              bool     // authorization requests only through /oauth2/par (RFC 9126)
	Public                  bool
	FirstParty              bool
	TokenEndpointAuthMethod string
	// JWKS (a JSON Web Key Set, as registered) or JWKSURI holds the public keys of a
	// private_key_jwt client: exactly one of them.
	JWKS      json.RawMessage
	JWKSURI   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Grants returns the client's grant types: the authorization code grant when it lists none,
// as OpenID Connect registration says.
func (c *OAuthClient) Grants() []string {
	if len(c.GrantTypes) == 0 {
		return []string{"authorization_code"}
	}
	return c.GrantTypes
}

// Responses returns the client's response types: "code" when it lists none, as OpenID
// Connect registration says.
func (c *OAuthClient) Responses() []string {
	if len(c.ResponseTypes) == 0 {
		return []string{"code"}
	}
	return c.ResponseTypes
}

// Normalize makes public and "none" mean the same thing, defaults a confidential client to
// HTTP Basic authentication, and checks that keys come with private_key_jwt and only with it.
// A key set without keys counts as none.
func (c *OAuthClient) Normalize() error {
	switch {
	case c.ID == "":
		return errors.New("oauth client: empty id")
	case c.Public && c.TokenEndpointAuthMethod != "" && c.TokenEndpointAuthMethod != AuthMethodNone:
		return fmt.Errorf("oauth client %q: a public client authenticates with %q", c.ID, AuthMethodNone)
	case !c.Public && c.TokenEndpointAuthMethod == AuthMethodNone:
		return fmt.Errorf("oauth client %q: a confidential client needs an authentication method", c.ID)
	case c.Public:
		c.TokenEndpointAuthMethod = AuthMethodNone
	case c.TokenEndpointAuthMethod == "":
		c.TokenEndpointAuthMethod = AuthMethodSecretBasic
	}
	if err := c.dropEmptyKeySet(); err != nil {
		return err
	}
	switch c.TokenEndpointAuthMethod {
	case AuthMethodNone, AuthMethodSecretBasic, AuthMethodSecretPost:
		if c.JWKS != nil || c.JWKSURI != "" {
			return fmt.Errorf("oauth client %q: keys are for %q clients only", c.ID, AuthMethodPrivateKeyJWT)
		}
	case AuthMethodPrivateKeyJWT:
		if (c.JWKS != nil) == (c.JWKSURI != "") {
			return fmt.Errorf("oauth client %q: a %q client needs a JWKS or a JWKS URI (one of them)", c.ID, AuthMethodPrivateKeyJWT)
		}
	default:
		return fmt.Errorf("oauth client %q: unknown authentication method %q", c.ID, c.TokenEndpointAuthMethod)
	}
	return nil
}

// dropEmptyKeySet sets JWKS to nil when it holds no keys, and refuses one that is no key set.
func (c *OAuthClient) dropEmptyKeySet() error {
	if len(c.JWKS) == 0 {
		c.JWKS = nil
		return nil
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(c.JWKS, &set); err != nil {
		return fmt.Errorf("oauth client %q: its keys are not a JSON Web Key Set: %w", c.ID, err)
	}
	if len(set.Keys) == 0 {
		c.JWKS = nil
	}
	return nil
}

// SigningKey is a key that signs ID tokens; PrivateKey is sealed by the authorization server.
type SigningKey struct {
	KID        string
	Algorithm  string
	PrivateKey string
	CreatedAt  time.Time
}
