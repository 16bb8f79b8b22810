package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-jose/go-jose/v3"
	"github.com/go-jose/go-jose/v3/jwt"
	"github.com/ory/fosite"

	"qrcircles"
)

// Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
// RFC 7523, OpenID Connect Core §9). Every client has one method and may use only that one, so
// a request is read for the method it uses before the secret or the signature is checked.

// TokenAuthMethods are the client authentication methods there are, in discovery's order.
var TokenAuthMethods = []string{
	qrcircles.AuthMethodSecretBasic, qrcircles.AuthMethodSecretPost, qrcircles.AuthMethodPrivateKeyJWT, qrcircles.AuthMethodNone,
}

// introspectionAuthMethods are those that authenticate a client: not "none".
var introspectionAuthMethods = []string{qrcircles.AuthMethodSecretBasic, qrcircles.AuthMethodSecretPost, qrcircles.AuthMethodPrivateKeyJWT}

// AssertionAlgorithms are the signature algorithms a private_key_jwt client assertion may use:
// public-key ones only, so no key of ours can verify a forged one.
var AssertionAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

const (
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// MaxAssertionLifetime bounds how far in the future a client assertion's exp may be: its jti
	// is remembered until then.
	MaxAssertionLifetime = time.Hour
	assertionLeeway      = time.Minute
)

// clientAuth is fosite's ClientAuthenticationStrategy, and introspection's.
type clientAuth struct {
	store     Store
	hasher    fosite.Hasher
	audiences []string // what a client assertion's aud may name: this server or one of its endpoints
	remote    *remoteKeys
	now       func() time.Time
}

func newClientAuth(store Store, hasher fosite.Hasher, issuer *url.URL, now func() time.Time) *clientAuth {
	iss := issuer.String()
	return &clientAuth{
		store: store, hasher: hasher, now: now, remote: newRemoteKeys(now),
		audiences: []string{iss, iss + "/oauth2/token", iss + "/oauth2/introspect", iss + "/oauth2/revoke"},
	}
}

// credentials are what a request presents for its client.
type credentials struct {
	method     string
	id, secret string
	assertion  *jwt.JSONWebToken
}

func errClient(format string, args ...any) *fosite.RFC6749Error {
	return fosite.ErrInvalidClient.WithHintf(format, args...)
}

// authenticate returns the client that the request authenticates, with the client's own method.
// Every failure is invalid_client (HTTP 401).
func (a *clientAuth) authenticate(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
	cr, err := readCredentials(r, form)
	if err != nil {
		return nil, err
	}
	fc, err := a.store.GetClient(ctx, cr.id)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		return nil, errClient("Unknown client %q.", cr.id)
	}
	if err != nil {
		return nil, fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}
	client := registered(fc)
	if client == nil {
		return nil, fosite.ErrServerError.WithDebugf("the store gave client %q as %T, not as a registered client", cr.id, fc)
	}
	if client.TokenEndpointAuthMethod != cr.method {
		return nil, errClient("This client authenticates with %s, not %s.", client.TokenEndpointAuthMethod, cr.method)
	}
	switch cr.method {
	case qrcircles.AuthMethodSecretBasic, qrcircles.AuthMethodSecretPost:
		if a.hasher.Compare(ctx, client.SecretHash, []byte(cr.secret)) != nil {
			return nil, errClient("The client secret is wrong.")
		}
	case qrcircles.AuthMethodPrivateKeyJWT:
		if err := a.checkAssertion(ctx, client, cr.assertion); err != nil {
			return nil, err
		}
	}
	return fc, nil
}

// readCredentials finds the one method the request uses: HTTP Basic, a secret in the body, a
// client assertion, or a bare client_id (none). More than one is refused (RFC 6749 §2.3).
func readCredentials(r *http.Request, form url.Values) (credentials, error) {
	var found []credentials
	if user, pass, ok := r.BasicAuth(); ok {
		id, err1 := url.QueryUnescape(user)
		secret, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return credentials{}, errClient("The HTTP Basic credentials must be form-encoded (RFC 6749 §2.3.1).")
		}
		if form.Get("client_id") != "" && form.Get("client_id") != id {
			return credentials{}, errClient("The client_id parameter names another client than the HTTP Basic credentials.")
		}
		found = append(found, credentials{method: qrcircles.AuthMethodSecretBasic, id: id, secret: secret})
	}
	if secret := form.Get("client_secret"); secret != "" {
		found = append(found, credentials{method: qrcircles.AuthMethodSecretPost, id: form.Get("client_id"), secret: secret})
	}
	if form.Get("client_assertion_type") != "" || form.Get("client_assertion") != "" {
		cr, err := readAssertion(form)
		if err != nil {
			return credentials{}, err
		}
		found = append(found, cr)
	}
	switch {
	case len(found) > 1:
		return credentials{}, errClient("The request uses more than one client authentication method.")
	case len(found) == 1 && found[0].id != "":
		return found[0], nil
	case len(found) == 0 && form.Get("client_id") != "":
		return credentials{method: qrcircles.AuthMethodNone, id: form.Get("client_id")}, nil
	}
	return credentials{}, errClient("The request names no client.")
}

// readAssertion parses a client assertion; the client is client_id, or else the assertion's sub.
func readAssertion(form url.Values) (credentials, error) {
	if form.Get("client_assertion_type") != clientAssertionType {
		return credentials{}, errClient("The client_assertion_type must be %s.", clientAssertionType)
	}
	tok, err := jwt.ParseSigned(form.Get("client_assertion"))
	if err != nil {
		return credentials{}, errClient("The client_assertion is not a signed JWT.")
	}
	cr := credentials{method: qrcircles.AuthMethodPrivateKeyJWT, id: form.Get("client_id"), assertion: tok}
	if cr.id == "" {
		var claims jwt.Claims
		if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
			return credentials{}, errClient("The client_assertion's claims do not parse.")
		}
		cr.id = claims.Subject
	}
	return cr, nil
}

// checkAssertion verifies a client assertion as RFC 7523 §3 says: signed by one of the client's
// keys, iss and sub the client, aud this server, not expired nor valid for more than
// MaxAssertionLifetime, and a jti not seen before.
func (a *clientAuth) checkAssertion(ctx context.Context, client *qrcircles.OAuthClient, tok *jwt.JSONWebToken) error {
	if len(tok.Headers) != 1 || !slices.Contains(AssertionAlgorithms, tok.Headers[0].Algorithm) {
		return errClient("The client_assertion must have one signature, with one of %s.", strings.Join(AssertionAlgorithms, ", "))
	}
	claims, err := a.verifySignature(ctx, client, tok)
	if err != nil {
		return err
	}
	now := a.now()
	switch {
	case claims.Issuer != client.ID || claims.Subject != client.ID:
		return errClient("The client_assertion's iss and sub must both be the client_id.")
	case !slices.ContainsFunc(a.audiences, claims.Audience.Contains):
		return errClient("The client_assertion's aud must be %s (or one of its endpoints).", a.audiences[0])
	case claims.Expiry == nil || claims.ID == "":
		return errClient("The client_assertion needs exp and jti.")
	case now.After(claims.Expiry.Time().Add(assertionLeeway)):
		return errClient("The client_assertion has expired.")
	case claims.Expiry.Time().After(now.Add(MaxAssertionLifetime + assertionLeeway)):
		return errClient("The client_assertion's exp may be at most %s ahead.", MaxAssertionLifetime)
	case claims.NotBefore != nil && now.Add(assertionLeeway).Before(claims.NotBefore.Time()),
		claims.IssuedAt != nil && now.Add(assertionLeeway).Before(claims.IssuedAt.Time()):
		return errClient("The client_assertion is not valid yet.")
	}
	// The jti is remembered per client until the assertion expires; the insert itself is the
	// check, so two requests racing with one assertion cannot both pass.
	err = a.store.SetClientAssertionJWT(ctx, client.ID+" "+claims.ID, claims.Expiry.Time().Add(assertionLeeway))
	if errors.Is(err, fosite.ErrJTIKnown) {
		return errClient("This client_assertion (its jti) was used before.")
	}
	if err != nil {
		return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}
	return nil
}

// verifySignature returns the assertion's claims if a key of the client verifies it. A key set
// at a jwks_uri is fetched again once when no cached key verifies (the client may have rotated).
func (a *clientAuth) verifySignature(ctx context.Context, client *qrcircles.OAuthClient, tok *jwt.JSONWebToken) (jwt.Claims, error) {
	var claims jwt.Claims
	for _, refresh := range []bool{false, true} {
		set, err := a.keySet(ctx, client, refresh)
		if err != nil {
			return claims, err
		}
		for _, k := range signingKeys(set, tok.Headers[0]) {
			if tok.Claims(k.Key, &claims) == nil {
				return claims, nil
			}
		}
		if client.JWKSURI == "" {
			break
		}
	}
	return claims, errClient("No key of the client verifies the client_assertion.")
}

// keySet returns the client's public keys: those at its jwks_uri (fetched again when refresh
// says so), or the set it registered.
func (a *clientAuth) keySet(ctx context.Context, client *qrcircles.OAuthClient, refresh bool) (*jose.JSONWebKeySet, error) {
	if client.JWKSURI != "" {
		set, err := a.remote.get(ctx, client.JWKSURI, refresh)
		if err != nil {
			return nil, errClient("The client's keys could not be read from its jwks_uri.").WithWrap(err).WithDebug(err.Error())
		}
		return set, nil
	}
	set := &jose.JSONWebKeySet{}
	if err := json.Unmarshal(client.JWKS, set); err != nil {
		err = fmt.Errorf("oauth client %q: decoding its registered keys: %w", client.ID, err)
		return nil, fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}
	return set, nil
}

// signingKeys are the keys of set that may have made a signature with this header.
func signingKeys(set *jose.JSONWebKeySet, h jose.Header) []jose.JSONWebKey {
	if set == nil {
		return nil
	}
	keys := set.Keys
	if h.KeyID != "" {
		keys = set.Key(h.KeyID)
	}
	var out []jose.JSONWebKey
	for _, k := range keys {
		if k.IsPublic() && !tooSmallRSA(k) && (k.Use == "" || k.Use == "sig") && (k.Algorithm == "" || k.Algorithm == h.Algorithm) {
			out = append(out, k)
		}
	}
	return out
}

// challengeClient adds the challenge that a 401 from a client-authenticated endpoint carries
// (RFC 6749 §5.2: "WWW-Authenticate" with the scheme the client may use).
func challengeClient(c *gin.Context, err error) {
	if err != nil && fosite.ErrorToRFC6749Error(err).CodeField == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Basic realm="QR Circles", charset="UTF-8"`)
	}
}

// CheckKeySet checks a client's public keys as registered: at least one, every one a public
// signing key of a kind AssertionAlgorithms can use (RSA of 2048 bits or more, EC, Ed25519),
// and never a private key.
func CheckKeySet(set *jose.JSONWebKeySet) error {
	if set == nil || len(set.Keys) == 0 {
		return errors.New("the key set has no keys")
	}
	for i, k := range set.Keys {
		name := fmt.Sprintf("key %d (kid %q)", i+1, k.KeyID)
		switch {
		case !k.Valid():
			return fmt.Errorf("%s is not a valid key", name)
		case !k.IsPublic():
			return fmt.Errorf("%s is not a public key: register the public half only, never the private key", name)
		case k.Use != "" && k.Use != "sig":
			return fmt.Errorf("%s has use %q, not \"sig\"", name, k.Use)
		case k.Algorithm != "" && !slices.Contains(AssertionAlgorithms, k.Algorithm):
			return fmt.Errorf("%s has alg %q (allowed: %s)", name, k.Algorithm, strings.Join(AssertionAlgorithms, ", "))
		case tooSmallRSA(k):
			return fmt.Errorf("%s is an RSA key of fewer than 2048 bits", name)
		}
	}
	return nil
}
