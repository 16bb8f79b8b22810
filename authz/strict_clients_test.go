package authz_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/go-jose/go-jose/v3/jwt"
	"golang.org/x/oauth2"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// What strict client libraries check: RFC 9207 iss, client authentication by the client's own
// method (RFC 6749 §2.3, RFC 7523), 401 challenges (RFC 6749 §5.2), bearer tokens only where
// RFC 6750 allows them, discovery that says what works, exact redirect URIs (RFC 8252).

// credential adds a client's credentials to a request's form and headers.
type credential func(form url.Values, hdr http.Header)

func basicCred(id, secret string) credential {
	return func(_ url.Values, hdr http.Header) {
		hdr.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret))))
	}
}

func postCred(id, secret string) credential {
	return func(f url.Values, _ http.Header) { f.Set("client_id", id); f.Set("client_secret", secret) }
}

func jwtCred(assertion string) credential {
	return func(f url.Values, _ http.Header) {
		f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		f.Set("client_assertion", assertion)
	}
}

func noneCred(id string) credential {
	return func(f url.Values, _ http.Header) { f.Set("client_id", id) }
}

func bothCreds(a, b credential) credential {
	return func(f url.Values, hdr http.Header) { a(f, hdr); b(f, hdr) }
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

// post sends form to an endpoint of the server with the credential.
func post(t *testing.T, h *harness, path string, form url.Values, cred credential) answer {
	t.Helper()
	form = cloneValues(form)
	hdr := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if cred != nil {
		cred(form, hdr)
	}
	req, _ := http.NewRequest("POST", h.issuer+path, strings.NewReader(form.Encode()))
	req.Header = hdr
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	a := answer{status: res.StatusCode, header: res.Header}
	_ = json.NewDecoder(res.Body).Decode(&a.body)
	return a
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// keyPair is a client's signing key, made by the test.
type keyPair struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv any
}

func rsaKey(t *testing.T, kid string) keyPair {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{kid: kid, alg: jose.RS256, priv: k}
}

func ecKey(t *testing.T, kid string) keyPair {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{kid: kid, alg: jose.ES256, priv: k}
}

func (k keyPair) public() jose.JSONWebKey {
	jwk := jose.JSONWebKey{Key: k.priv, KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
	return jwk.Public()
}

func (k keyPair) set() *jose.JSONWebKeySet {
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.public()}}
}

// sign makes a client assertion with the claims.
func (k keyPair) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// assertionClaims are the claims of a good client assertion for the token endpoint.
func assertionClaims(h *harness, id string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": id, "sub": id, "aud": h.issuer + "/oauth2/token", "jti": randomJTI(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}
}

func randomJTI() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func with(claims map[string]any, edits map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range edits {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// strictClients are one client of each authentication method.
type strictClients struct {
	basic, post, jwks, jwksURI, public string
	basicSecret, postSecret            string
	key, uriKey                        keyPair
	keyServer                          *keyServer
}

// keyServer publishes a client's key set, as a partner's jwks_uri does.
type keyServer struct {
	mu  sync.Mutex
	set *jose.JSONWebKeySet
	srv *httptest.Server
}

func (k *keyServer) publish(set *jose.JSONWebKeySet) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.set = set
}

func newKeyServer(t *testing.T, set *jose.JSONWebKeySet) *keyServer {
	k := &keyServer{set: set}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		k.mu.Lock()
		defer k.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_ = json.NewEncoder(w).Encode(k.set)
	}))
	t.Cleanup(k.srv.Close)
	return k
}

func newStrictClients(t *testing.T, h *harness) *strictClients {
	t.Helper()
	ctx := context.Background()
	s := &strictClients{key: rsaKey(t, "rsa-1"), uriKey: ecKey(t, "ec-1")}
	s.keyServer = newKeyServer(t, s.uriKey.set())
	create := func(spec authz.ClientSpec) (string, string) {
		if spec.Grants == nil {
			spec.Grants = []string{authz.GrantClientCredentials, authz.GrantRefreshToken}
		}
		spec.Name, spec.Scopes = "Client "+spec.AuthMethod, []string{"circles:read"}
		c, secret, err := h.az.Clients().Create(ctx, spec, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c.ID, secret
	}
	s.basic, s.basicSecret = create(authz.ClientSpec{AuthMethod: qrcircles.AuthMethodSecretBasic})
	s.post, s.postSecret = create(authz.ClientSpec{AuthMethod: qrcircles.AuthMethodSecretPost})
	s.jwks, _ = create(authz.ClientSpec{AuthMethod: qrcircles.AuthMethodPrivateKeyJWT, JWKS: s.key.set()})
	s.jwksURI, _ = create(authz.ClientSpec{AuthMethod: qrcircles.AuthMethodPrivateKeyJWT, JWKSURI: s.keyServer.srv.URL + "/jwks.json"})
	s.public, _ = create(authz.ClientSpec{Public: true, Grants: []string{authz.GrantAuthorizationCode, authz.GrantRefreshToken},
		RedirectURIs: []string{partnerRedirect}})
	return s
}

func clientCredentialsForm() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {"circles:read"}}
}

// wantClientRefused checks the answer to a failed client authentication: 401 invalid_client
// with a Basic challenge (RFC 6749 §5.2).
func wantClientRefused(t *testing.T, a answer) {
	t.Helper()
	if a.status != http.StatusUnauthorized || a.body["error"] != "invalid_client" {
		t.Fatalf("want 401 invalid_client, got %d %v", a.status, a.body)
	}
	if ch := a.header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Basic ") {
		t.Fatalf("401 without a Basic challenge: WWW-Authenticate %q", ch)
	}
}

func TestClientAuthenticationAtTheTokenEndpoint(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		c := newStrictClients(t, h)
		other := rsaKey(t, "rsa-1") // same kid, another key
		hs, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(strings.Repeat("s", 32))}, nil)
		hsToken, _ := jwt.Signed(hs).Claims(assertionClaims(h, c.jwks)).CompactSerialize()
		unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
			base64.RawURLEncoding.EncodeToString(mustJSON(assertionClaims(h, c.jwks))) + "."
		replayed := c.key.sign(t, assertionClaims(h, c.jwks))

		tests := []struct {
			name string
			cred credential
			ok   bool
		}{
			{"client_secret_basic client with HTTP Basic", basicCred(c.basic, c.basicSecret), true},
			{"client_secret_post client with the secret in the body", postCred(c.post, c.postSecret), true},
			{"private_key_jwt client with an assertion for the token endpoint", jwtCred(c.key.sign(t, assertionClaims(h, c.jwks))), true},
			{"private_key_jwt with the issuer as aud", jwtCred(c.key.sign(t, with(assertionClaims(h, c.jwks), map[string]any{"aud": h.issuer}))), true},
			{"private_key_jwt with client_id beside the assertion", bothCreds(noneCred(c.jwks), jwtCred(c.key.sign(t, assertionClaims(h, c.jwks)))), true},
			{"private_key_jwt with keys at a jwks_uri", jwtCred(c.uriKey.sign(t, assertionClaims(h, c.jwksURI))), true},
			{"first use of an assertion", jwtCred(replayed), true},

			{"client_secret_basic client with the secret in the body", postCred(c.basic, c.basicSecret), false},
			{"client_secret_post client with HTTP Basic", basicCred(c.post, c.postSecret), false},
			{"client_secret_basic client with a wrong secret", basicCred(c.basic, c.basicSecret+"x"), false},
			{"client_secret_post client with a wrong secret", postCred(c.post, c.postSecret+"x"), false},
			{"HTTP Basic and a secret in the body at once", bothCreds(basicCred(c.basic, c.basicSecret), postCred(c.basic, c.basicSecret)), false},
			{"HTTP Basic naming one client, client_id another", bothCreds(basicCred(c.basic, c.basicSecret), noneCred(c.post)), false},
			{"a secret client with an assertion", jwtCred(c.key.sign(t, assertionClaims(h, c.basic))), false},
			{"private_key_jwt client with HTTP Basic", basicCred(c.jwks, "anything"), false},
			{"private_key_jwt client with client_id alone", noneCred(c.jwks), false},
			{"replayed assertion (same jti)", jwtCred(replayed), false},
			{"assertion signed by another key", jwtCred(other.sign(t, assertionClaims(h, c.jwks))), false},
			{"assertion for another audience", jwtCred(c.key.sign(t, with(assertionClaims(h, c.jwks), map[string]any{"aud": "https://other.example/token"}))), false},
			{"expired assertion", jwtCred(c.key.sign(t, with(assertionClaims(h, c.jwks), map[string]any{"exp": time.Now().Add(-5 * time.Minute).Unix()}))), false},
			{"assertion valid for two hours", jwtCred(c.key.sign(t, with(assertionClaims(h, c.jwks), map[string]any{"exp": time.Now().Add(2 * time.Hour).Unix()}))), false},
			{"assertion without exp", jwtCred(c.key.sign(t, with(assertionClaims(h, c.jwks), map[string]any{"exp": nil}))), false},
			{"assertion without jti", jwtCred(c.key.sign(t, with(assertionClaims(h, c.jwks), map[string]any{"jti": nil}))), false},
			{"assertion not valid yet", jwtCred(c.key.sign(t, with(assertionClaims(h, c.jwks), map[string]any{"nbf": time.Now().Add(10 * time.Minute).Unix()}))), false},
			{"assertion whose iss is another client", jwtCred(c.key.sign(t, with(assertionClaims(h, c.jwks), map[string]any{"iss": c.basic}))), false},
			{"assertion with an HMAC signature", jwtCred(hsToken), false},
			{"unsigned assertion (alg none)", jwtCred(unsigned), false},
			{"assertion of the jwks_uri client signed by the other client's key", jwtCred(c.key.sign(t, assertionClaims(h, c.jwksURI))), false},
			{"unknown client", basicCred("c_nobody", "secret"), false},
			{"no client at all", nil, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := post(t, h, "/oauth2/token", clientCredentialsForm(), tt.cred)
				if tt.ok {
					if a.status != 200 || a.body["access_token"] == nil {
						t.Fatalf("refused: %d %v", a.status, a.body)
					}
					return
				}
				wantClientRefused(t, a)
			})
		}
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// A public client names itself with client_id and nothing more.
func TestPublicClientAuthenticatesWithNone(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		c := newStrictClients(t, h)
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"ory_rt_not-a-token"}}
		// Authenticated, the request fails on the refresh token (400); not authenticated, 401.
		if a := post(t, h, "/oauth2/token", form, noneCred(c.public)); a.status != 400 || a.body["error"] != "invalid_grant" {
			t.Fatalf("public client with client_id: %d %v", a.status, a.body)
		}
		for name, cred := range map[string]credential{
			"HTTP Basic with an empty secret": basicCred(c.public, ""),
			"HTTP Basic with a secret":        basicCred(c.public, "made-up"),
			"a secret in the body":            postCred(c.public, "made-up"),
		} {
			t.Run(name, func(t *testing.T) { wantClientRefused(t, post(t, h, "/oauth2/token", form, cred)) })
		}
	})
}

// A client rotates its key at its jwks_uri: the server fetches the set again for a key it has
// not seen, but no more often than every 30 seconds.
func TestJWKSURIKeyRotation(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		clock := &testClock{t: time.Now()}
		h := newHarness(t, db, func(o *authz.Options) { o.Now = clock.Now })
		c := newStrictClients(t, h)
		assertion := func(k keyPair) credential {
			claims := assertionClaims(h, c.jwksURI)
			claims["iat"], claims["exp"] = clock.Now().Unix(), clock.Now().Add(time.Minute).Unix()
			return jwtCred(k.sign(t, claims))
		}
		if a := post(t, h, "/oauth2/token", clientCredentialsForm(), assertion(c.uriKey)); a.status != 200 {
			t.Fatalf("first key: %d %v", a.status, a.body)
		}
		rotated := ecKey(t, "ec-2")
		c.keyServer.publish(rotated.set())
		wantClientRefused(t, post(t, h, "/oauth2/token", clientCredentialsForm(), assertion(rotated)))
		clock.add(31 * time.Second)
		if a := post(t, h, "/oauth2/token", clientCredentialsForm(), assertion(rotated)); a.status != 200 {
			t.Fatalf("rotated key: %d %v", a.status, a.body)
		}
		if a := post(t, h, "/oauth2/token", clientCredentialsForm(), assertion(c.uriKey)); a.status != 401 {
			t.Fatalf("the withdrawn key still works: %d %v", a.status, a.body)
		}
	})
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Discovery lists, for each endpoint, exactly the methods that work there: each listed one
// succeeds with a client of that method, and each other one is refused.
func TestDiscoveredAuthMethodsWork(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		c := newStrictClients(t, h)
		meta := discover(t, h)
		token := post(t, h, "/oauth2/token", clientCredentialsForm(), basicCred(c.basic, c.basicSecret)).body["access_token"].(string)
		// For each method: a good credential of a client with that method, for a request to path.
		good := func(method, path string) credential {
			claims := assertionClaims(h, c.jwks)
			claims["aud"] = h.issuer + path
			return map[string]credential{
				"client_secret_basic": basicCred(c.basic, c.basicSecret),
				"client_secret_post":  postCred(c.post, c.postSecret),
				"private_key_jwt":     jwtCred(c.key.sign(t, claims)),
				"none":                noneCred(c.public),
			}[method]
		}
		endpoints := []struct {
			path, key string
			form      url.Values
			worked    func(answer) bool
		}{
			{"/oauth2/token", "token_endpoint_auth_methods_supported",
				url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"ory_rt_not-a-token"}},
				func(a answer) bool { return a.status == 400 && a.body["error"] == "invalid_grant" }},
			{"/oauth2/introspect", "introspection_endpoint_auth_methods_supported", url.Values{"token": {token}},
				func(a answer) bool { return a.status == 200 && a.body["active"] == true }},
			{"/oauth2/revoke", "revocation_endpoint_auth_methods_supported", url.Values{"token": {"ory_at_unknown"}},
				func(a answer) bool { return a.status == 200 }},
		}
		for _, ep := range endpoints {
			listed := stringList(t, meta[ep.key])
			for _, method := range authz.TokenAuthMethods {
				t.Run(ep.path+" "+method, func(t *testing.T) {
					a := post(t, h, ep.path, ep.form, good(method, ep.path))
					switch {
					case slices.Contains(listed, method) && !ep.worked(a):
						t.Fatalf("%s is listed in %s but fails: %d %v", method, ep.key, a.status, a.body)
					case !slices.Contains(listed, method) && ep.worked(a):
						t.Fatalf("%s is not listed in %s but works", method, ep.key)
					case !slices.Contains(listed, method):
						wantClientRefused(t, a)
					}
				})
			}
		}
		// A wrong method at introspection and revocation is refused with the challenge too.
		for _, path := range []string{"/oauth2/introspect", "/oauth2/revoke"} {
			wantClientRefused(t, post(t, h, path, url.Values{"token": {token}}, postCred(c.basic, c.basicSecret)))
			wantClientRefused(t, post(t, h, path, url.Values{"token": {token}}, basicCred(c.basic, "wrong")))
		}
		if in := post(t, h, "/oauth2/introspect", url.Values{"token": {token}}, basicCred(c.basic, c.basicSecret)); in.body["active"] != true {
			t.Fatalf("the token died of failed revocations: %v", in.body)
		}
	})
}

func discover(t *testing.T, h *harness) map[string]any {
	t.Helper()
	res, err := http.Get(h.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var meta map[string]any
	if err := json.NewDecoder(res.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	return meta
}

func stringList(t *testing.T, v any) []string {
	t.Helper()
	raw, _ := v.([]any)
	var out []string
	for _, x := range raw {
		s, ok := x.(string)
		if !ok {
			t.Fatalf("not a list of strings: %v", v)
		}
		out = append(out, s)
	}
	return out
}

// Discovery says what is not supported, where OpenID Connect's default would claim support, and
// what a strict client checks.
func TestDiscoveryStatesOnlyWhatWorks(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		meta := discover(t, h)
		for key, want := range map[string]any{
			"authorization_response_iss_parameter_supported": true,
			"request_parameter_supported":                    false,
			"request_uri_parameter_supported":                false,
			"claims_parameter_supported":                     false,
		} {
			if meta[key] != want {
				t.Errorf("%s = %v, want %v", key, meta[key], want)
			}
		}
		for _, key := range []string{"token_endpoint_auth_signing_alg_values_supported",
			"introspection_endpoint_auth_signing_alg_values_supported", "revocation_endpoint_auth_signing_alg_values_supported"} {
			algs := stringList(t, meta[key])
			if !slices.Contains(algs, "RS256") || !slices.Contains(algs, "ES256") || slices.Contains(algs, "none") || slices.Contains(algs, "HS256") {
				t.Errorf("%s = %v", key, algs)
			}
		}
		pub := publicClient(t, h)
		// What discovery says is unsupported is refused, at the client, with iss.
		for _, tt := range []struct {
			name, param, value, error string
		}{
			{"request object", "request", "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.", "request_not_supported"},
			{"request_uri", "request_uri", "https://partner.example/request.jwt", "request_uri_not_supported"},
			{"fragment response mode", "response_mode", "fragment", "unsupported_response_mode"},
			{"form_post response mode", "response_mode", "form_post", "unsupported_response_mode"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				q := baseQuery(pub)
				q.Set(tt.param, tt.value)
				p := h.browser().get(authURL(h, q))
				if !strings.HasPrefix(p.url.String(), partnerRedirect+"?") || p.url.Query().Get("error") != tt.error || p.url.Query().Get("iss") != h.issuer {
					t.Fatalf("want %s with iss at the client, got %s (%d)", tt.error, p.url, p.status)
				}
			})
		}
		// The one response mode listed works when named.
		q := baseQuery(pub)
		q.Set("response_mode", stringList(t, meta["response_modes_supported"])[0])
		if p := h.browser().get(authURL(h, q)); p.url.Path != "/login" {
			t.Fatalf("response_mode=query: %s (%d)", p.url, p.status)
		}
	})
}

// RFC 9207: iss on every authorization response, success and error.
func TestAuthorizationResponsesCarryIss(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		p := newPartner(t, h, "openid", "circles:read")
		b := h.browser()

		verifier := oauth2.GenerateVerifier()
		first := b.get(p.conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier)))
		consent := b.signIn(first, "13900139100", "Iss Checker")
		denied := b.submit(consent, url.Values{"decision": {"deny"}})
		wantIss(t, h, "access_denied", denied, "access_denied")
		pg := b.submit(b.get(p.conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier))), url.Values{"decision": {"allow"}})
		wantIss(t, h, "success", pg, "")
		if _, err := p.conf.Exchange(context.Background(), pg.url.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
			t.Fatalf("the code of a response with iss: %v", err)
		}

		pub := publicClient(t, h)
		for _, tt := range []struct {
			name  string
			edit  func(url.Values)
			error string
		}{
			{"invalid_scope", func(q url.Values) { q.Set("scope", "openid admin") }, "invalid_scope"},
			{"PKCE missing", func(q url.Values) { q.Del("code_challenge") }, "invalid_request"},
			{"prompt=none, not signed in", func(q url.Values) { q.Set("prompt", "none") }, "login_required"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				q := baseQuery(pub)
				tt.edit(q)
				wantIss(t, h, tt.name, h.browser().get(authURL(h, q)), tt.error)
			})
		}
	})
}

func wantIss(t *testing.T, h *harness, what string, p page, wantError string) {
	t.Helper()
	q := p.url.Query()
	if !strings.HasPrefix(p.url.String(), partnerRedirect+"?") || q.Get("iss") != h.issuer || q.Get("error") != wantError ||
		(q.Get("state") != "state-123" && q.Get("state") != "state-123456") {
		t.Fatalf("%s: want a response with iss=%s and error %q, got %s (%d)", what, h.issuer, wantError, p.url, p.status)
	}
	if q.Get("error") == "" && q.Get("code") == "" {
		t.Fatalf("%s: neither code nor error: %s", what, p.url)
	}
}

// RFC 6750 §2.3: no access token in the query string at userinfo.
func TestUserinfoTakesTokensOnlyWhereRFC6750Allows(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		p := newPartner(t, h, "openid", "profile")
		verifier := oauth2.GenerateVerifier()
		tok, err := p.conf.Exchange(context.Background(), p.authorize(t, h.browser(), "13900139101", "Userinfo", verifier, "nonce-abcdefgh"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		at := tok.AccessToken
		tests := []struct {
			name   string
			req    func() *http.Request
			status int
		}{
			{"Authorization header", func() *http.Request {
				r, _ := http.NewRequest("GET", h.issuer+"/userinfo", nil)
				r.Header.Set("Authorization", "Bearer "+at)
				return r
			}, 200},
			{"form body of a POST", func() *http.Request {
				r, _ := http.NewRequest("POST", h.issuer+"/userinfo", strings.NewReader(url.Values{"access_token": {at}}.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			}, 200},
			{"query string of a GET", func() *http.Request {
				r, _ := http.NewRequest("GET", h.issuer+"/userinfo?access_token="+url.QueryEscape(at), nil)
				return r
			}, 400},
			{"query string of a POST", func() *http.Request {
				r, _ := http.NewRequest("POST", h.issuer+"/userinfo?access_token="+url.QueryEscape(at), nil)
				return r
			}, 400},
			{"header and query string", func() *http.Request {
				r, _ := http.NewRequest("GET", h.issuer+"/userinfo?access_token="+url.QueryEscape(at), nil)
				r.Header.Set("Authorization", "Bearer "+at)
				return r
			}, 400},
			{"header and form body", func() *http.Request {
				r, _ := http.NewRequest("POST", h.issuer+"/userinfo", strings.NewReader(url.Values{"access_token": {at}}.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Authorization", "Bearer "+at)
				return r
			}, 400},
			{"no token", func() *http.Request {
				r, _ := http.NewRequest("GET", h.issuer+"/userinfo", nil)
				return r
			}, 401},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := http.DefaultClient.Do(tt.req())
				if err != nil {
					t.Fatal(err)
				}
				var body map[string]any
				_ = json.NewDecoder(res.Body).Decode(&body)
				res.Body.Close()
				if res.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %v", res.StatusCode, tt.status, body)
				}
				if tt.status == 200 && body["name"] != "Userinfo" {
					t.Fatalf("claims %v", body)
				}
				if ch := res.Header.Get("WWW-Authenticate"); tt.status != 200 && !strings.HasPrefix(ch, "Bearer") {
					t.Fatalf("no Bearer challenge: %q", ch)
				}
			})
		}
	})
}

// Redirect URIs match exactly; only a native app's loopback redirect may change its port.
func TestRedirectURIsMatchExactly(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		pub := publicClient(t, h)
		conf := newPartner(t, h, "openid").id
		callback := h.issuer + "/auth/callback"
		otherPort := strings.Replace(callback, h.srv.Listener.Addr().String(), "127.0.0.1:1", 1)
		challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
		firstParty := func(redirect string) url.Values {
			return url.Values{"client_id": {authz.FirstPartyClientID}, "response_type": {"code"}, "scope": {"circles:read"},
				"redirect_uri": {redirect}, "state": {"state-123456"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		}
		withRedirect := func(id, redirect string) url.Values {
			q := baseQuery(id)
			q.Set("redirect_uri", redirect)
			return q
		}
		tests := []struct {
			name string
			q    url.Values
			ok   bool
		}{
			{"first-party client at QRC_PUBLIC_URL", firstParty(callback), true},
			{"first-party client on another port", firstParty(otherPort), false},
			{"first-party client on another path", firstParty(h.issuer + "/auth/callback2"), false},
			{"native app, registered loopback, another port", withRedirect(pub, "http://127.0.0.1:53117/callback"), true},
			{"native app, loopback, another path", withRedirect(pub, "http://127.0.0.1:53117/other"), false},
			{"native app, loopback, another host", withRedirect(pub, "http://localhost:9/callback"), false},
			{"native app, loopback, https instead of http", withRedirect(pub, "https://127.0.0.1:9/callback"), false},
			{"confidential client, its loopback redirect", withRedirect(conf, partnerRedirect), true},
			{"confidential client, its loopback redirect on another port", withRedirect(conf, "http://127.0.0.1:53117/callback"), false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := h.browser().get(authURL(h, tt.q))
				if tt.ok {
					if p.url.Path != "/login" {
						t.Fatalf("refused: %s (%d) %s", p.url, p.status, p.body)
					}
					return
				}
				if p.status != http.StatusBadRequest || p.header.Get("Location") != "" || !strings.Contains(p.body, "invalid_request") {
					t.Fatalf("want 400 without a redirect, got %d to %s", p.status, p.url)
				}
			})
		}
	})
}

// RFC 8252 §7.1, §7.2: native apps register private-use reverse-domain schemes or claimed https.
func TestNativeAppRedirectRegistration(t *testing.T) {
	storagetest.Backends(t, testNativeAppRedirectRegistration)
}

func testNativeAppRedirectRegistration(t *testing.T, db *storage.DB) {
	h := newHarness(t, db)
	tests := []struct {
		name     string
		redirect string
		public   bool
		ok       bool
	}{
		{"private-use reverse-domain scheme", "com.example.scanner:/oauth2/callback", true, true},
		{"claimed https", "https://app.example.com/oauth/callback", true, true},
		{"loopback IP literal", "http://127.0.0.1/callback", true, true},
		{"IPv6 loopback", "http://[::1]/callback", true, true},
		{"scheme that is not a reversed domain", "myapp:/callback", true, false},
		{"javascript", "javascript:alert(1)", true, false},
		{"data", "data:text/html,<script>alert(1)</script>", true, false},
		{"javascript with a dot path", "javascript://example.com/%0Aalert(1)", true, false},
		{"private-use scheme with an authority", "com.example.scanner://callback", true, false},
		{"private-use scheme without a slash", "com.example.scanner:callback", true, false},
		{"private-use scheme for a confidential client", "com.example.scanner:/oauth2/callback", false, false},
		{"upper-case scheme (not matched exactly)", "COM.example.scanner:/cb", true, false},
		{"scheme with a bad label", "com.-example.app:/cb", true, false},
		{"plain http on another host", "http://app.example.com/callback", true, false},
		{"https with a fragment", "https://app.example.com/cb#x", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grants := []string{authz.GrantAuthorizationCode}
			_, _, err := h.az.Clients().Create(context.Background(), authz.ClientSpec{Name: "Native", RedirectURIs: []string{tt.redirect},
				Public: tt.public, Scopes: []string{"openid"}, Grants: grants}, time.Now())
			if (err == nil) != tt.ok {
				t.Fatalf("registering %q: %v", tt.redirect, err)
			}
		})
	}
}

// A native app signs in with a private-use scheme redirect and gets its code there.
func TestNativeAppPrivateUseSchemeFlow(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		const redirect = "com.example.scanner:/oauth2/callback"
		c, _, err := h.az.Clients().Create(context.Background(), authz.ClientSpec{Name: "Scanner", RedirectURIs: []string{redirect},
			Public: true, Scopes: []string{"openid", "circles:read"}, Grants: []string{authz.GrantAuthorizationCode}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		conf := oauth2.Config{ClientID: c.ID, RedirectURL: redirect, Scopes: []string{"openid", "circles:read"},
			Endpoint: oauth2.Endpoint{AuthURL: h.issuer + "/oauth2/auth", TokenURL: h.issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
		b := h.browser()
		verifier := oauth2.GenerateVerifier()
		p := b.signIn(b.get(conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier))), "13900139102", "Scanner User")
		if strings.Contains(p.body, "decision") {
			p = b.submit(p, url.Values{"decision": {"allow"}})
		}
		if p.url.Scheme != "com.example.scanner" || p.url.Path != "/oauth2/callback" || p.url.Query().Get("iss") != h.issuer {
			t.Fatalf("want the app's scheme with iss, got %s (%d)", p.url, p.status)
		}
		tok, err := conf.Exchange(context.Background(), p.url.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil || tok.AccessToken == "" {
			t.Fatalf("exchange: %v", err)
		}
	})
}
