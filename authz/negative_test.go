package authz_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"qrcircles/authz"
	"qrcircles/storage/storagetest"
)

func authURL(h *harness, q url.Values) string { return h.issuer + "/oauth2/auth?" + q.Encode() }

func baseQuery(clientID string) url.Values {
	return url.Values{
		"client_id": {clientID}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {partnerRedirect}, "state": {"state-123456"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"},
	}
}

func publicClient(t *testing.T, h *harness) string {
	t.Helper()
	c, _, err := h.az.Clients().Create(context.Background(), authz.ClientSpec{
		Name: "Native App", RedirectURIs: []string{partnerRedirect}, Public: true,
		Scopes: []string{"openid", "offline_access"}, Grants: []string{authz.GrantAuthorizationCode, authz.GrantRefreshToken},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func TestAuthorizationRequestsThatMustFail(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	pub := publicClient(t, h)
	tests := []struct {
		name  string
		edit  func(q url.Values)
		error string // expected error on the redirect; "" means: no redirect at all
	}{
		{"wrong redirect URI", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, ""},
		{"redirect URI on another port of a non-loopback host", func(q url.Values) { q.Set("redirect_uri", "http://example.com:9/callback") }, ""},
		{"public client without PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "invalid_request"},
		{"plain PKCE method", func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"implicit grant", func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
		{"unknown scope", func(q url.Values) { q.Set("scope", "openid admin") }, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := baseQuery(pub)
			tt.edit(q)
			p := h.browser().get(authURL(h, q))
			if tt.error == "" {
				if p.status/100 == 3 || strings.Contains(p.url.Host, "evil") || strings.Contains(p.url.Host, "example.com") {
					t.Fatalf("redirected to %s", p.url)
				}
				if p.status != http.StatusBadRequest {
					t.Fatalf("status %d", p.status)
				}
				return
			}
			if !strings.HasPrefix(p.url.String(), partnerRedirect) || p.url.Query().Get("error") != tt.error {
				t.Fatalf("want %s at the client, got %s (%d)", tt.error, p.url, p.status)
			}
		})
	}
}

func TestLoopbackRedirectMatchesAnyPort(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	pub := publicClient(t, h)
	q := baseQuery(pub)
	q.Set("redirect_uri", "http://127.0.0.1:53117/callback")
	p := h.browser().get(authURL(h, q))
	if p.url.Path != "/login" {
		t.Fatalf("loopback redirect on another port refused: %s (%d)", p.url, p.status)
	}
}

func TestCodeUsedTwiceRevokesWhatItIssued(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	ctx := context.Background()
	p := newPartner(t, h, "openid", "offline_access")
	verifier := oauth2.GenerateVerifier()
	code := p.authorize(t, h.browser(), "13900139000", "Han Meimei", verifier, "nonce-abcdefgh")
	tok, err := p.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("second use of the code: %v", err)
	}
	if in := p.introspect(t, h, tok.AccessToken); in["active"] != false {
		t.Fatalf("the first exchange's token survived the replay: %v", in)
	}
	if _, err := p.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Fatal("the first exchange's refresh token survived the replay")
	}
}

func TestConcurrentCodeExchangeIssuesOnce(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	ctx := context.Background()
	p := newPartner(t, h, "openid")
	verifier := oauth2.GenerateVerifier()
	code := p.authorize(t, h.browser(), "13900139001", "Wang", verifier, "nonce-abcdefgh")
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d exchanges of one code succeeded", won)
	}
}

func TestExpiredCodeIsRefused(t *testing.T) {
	h := newHarness(t, storagetest.Open(t), func(o *authz.Options) { o.CodeLifespan = time.Millisecond })
	p := newPartner(t, h, "openid")
	verifier := oauth2.GenerateVerifier()
	code := p.authorize(t, h.browser(), "13900139002", "Zhang", verifier, "nonce-abcdefgh")
	time.Sleep(5 * time.Millisecond) // the code lives 1 ms
	_, err := p.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("expired code: %v", err)
	}
}

func TestWrongClientSecretIsRefused(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	p := newPartner(t, h, "openid")
	verifier := oauth2.GenerateVerifier()
	code := p.authorize(t, h.browser(), "13900139003", "Zhao", verifier, "nonce-abcdefgh")
	bad := p.conf
	bad.ClientSecret = p.secret + "x"
	_, err := bad.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %v", err)
	}
	if _, err := p.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("the right secret after a wrong one: %v", err)
	}
}

func TestPublicClientCodeFlowWithPKCE(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	pub := publicClient(t, h)
	conf := oauth2.Config{ClientID: pub, RedirectURL: partnerRedirect, Scopes: []string{"openid", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: h.issuer + "/oauth2/auth", TokenURL: h.issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	p := &partner{id: pub, conf: conf}
	verifier := oauth2.GenerateVerifier()
	code := p.authorize(t, h.browser(), "13900139004", "Qian", verifier, "nonce-abcdefgh")
	if _, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("a wrong code_verifier was accepted")
	}
	code = p.authorize(t, h.browser(), "13900139005", "Sun", verifier, "nonce-abcdefgh")
	if _, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("public client with PKCE: %v", err)
	}
}

func TestClientCredentials(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	c, secret, err := h.az.Clients().Create(context.Background(), authz.ClientSpec{
		Name: "Partner back end", Scopes: []string{"circles:read"}, Grants: []string{authz.GrantClientCredentials},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ok := clientCredentials(h, c.ID, secret, "circles:read")
	if ok.StatusCode != 200 {
		t.Fatalf("client_credentials: %d", ok.StatusCode)
	}
	if res := clientCredentials(h, c.ID, secret, "circles:manage"); res.StatusCode != 400 {
		t.Fatalf("a scope the client may not have: %d", res.StatusCode)
	}
	if res := clientCredentials(h, c.ID, "nope", "circles:read"); res.StatusCode != 401 {
		t.Fatalf("wrong secret: %d", res.StatusCode)
	}
}

func clientCredentials(h *harness, id, secret, scope string) *http.Response {
	req, _ := http.NewRequest("POST", h.issuer+"/oauth2/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	return res
}

func TestPasswordGrantIsNotOffered(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	p := newPartner(t, h, "openid")
	req, _ := http.NewRequest("POST", h.issuer+"/oauth2/token", strings.NewReader(url.Values{"grant_type": {"password"}, "username": {"x"}, "password": {"y"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(p.id, p.secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("password grant: %d", res.StatusCode)
	}
}

func TestIntrospectionNeedsClientAuthentication(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	ctx := context.Background()
	p := newPartner(t, h, "openid")
	verifier := oauth2.GenerateVerifier()
	tok, err := p.conf.Exchange(ctx, p.authorize(t, h.browser(), "13900139006", "Li", verifier, "nonce-abcdefgh"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	for name, auth := range map[string]func(*http.Request){
		"none":         func(*http.Request) {},
		"bearer token": func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok.AccessToken) },
		"wrong secret": func(r *http.Request) { r.SetBasicAuth(p.id, "wrong") },
	} {
		req, _ := http.NewRequest("POST", h.issuer+"/oauth2/introspect", strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		auth(req)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: introspection answered %d", name, res.StatusCode)
		}
	}
	if in := p.introspect(t, h, tok.AccessToken); in["active"] != true {
		t.Fatalf("authenticated introspection: %v", in)
	}
}
