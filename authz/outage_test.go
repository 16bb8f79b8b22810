package authz_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrcircles/authz"
	"qrcircles/resource/problem"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
	"qrcircles/templates"
)

// reply is one HTTP exchange of the outage test.
type reply struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, req *http.Request) reply {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header, string(b)}
}

func form(method, u string, v url.Values) *http.Request {
	req, _ := http.NewRequest(method, u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func withBearer(req *http.Request, token string) *http.Request {
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// TestDatabaseOutageIsNeverATokenError: while the database is down every layer that reads it
// answers 503 with Retry-After — the API's bearer gate (problem+json), the token endpoint,
// introspection, revocation and userinfo (OAuth's temporarily_unavailable, as JSON), the
// pages behind a sign-in cookie and the authorization endpoint (a "try again" page in the
// person's language) — where before the outage the same requests succeed, and an inactive
// token is 401.
func TestDatabaseOutageIsNeverATokenError(t *testing.T) {
	storagetest.BackendsWithOutage(t, func(t *testing.T, db *storage.DB, o *storagetest.Outage) {
		h := newHarness(t, db, func(o *authz.Options) { o.Circles = db })
		ctx := context.Background()
		p := newPartner(t, h, "openid", "circles:read", "circles:join")
		exchanger, _, err := h.az.Clients().Create(ctx, authz.ClientSpec{Name: "Scanner", Public: true,
			RedirectURIs: []string{partnerRedirect}, Scopes: []string{"circles:join"}, Grants: []string{authz.GrantTokenExchange}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b := h.browser()
		if pg := b.signIn(b.get(h.issuer+"/account"), "13800138123", "Ann"); pg.status != 200 || pg.url.Path != "/account" {
			t.Fatalf("sign-in: %d %s", pg.status, pg.url)
		}
		u, _, err := db.EnsureUser(ctx, "+8613800138123", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		token, err := h.az.IssueAccessToken(ctx, authz.TokenSpec{ClientID: p.id, UserID: u.ID, Phone: u.Phone,
			Scopes: []string{"openid", "circles:read", "circles:join"}, Lifespan: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		authorize := h.issuer + "/oauth2/auth?" + url.Values{"client_id": {p.id}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {partnerRedirect}, "state": {"state-123456"}, "prompt": {"consent"},
			"code_challenge": {strings.Repeat("c", 43)}, "code_challenge_method": {"S256"}}.Encode()

		requests := []struct {
			name   string
			req    func() *http.Request
			before int    // the reply while the database is up
			kind   string // of the 503: "api", "oauth" or "page"
		}{
			{"bearer gate", func() *http.Request {
				return withBearer(must(http.NewRequest("GET", h.issuer+"/api/v1/me/circles", nil)), token)
			}, 200, "api"},
			{"token endpoint: client credentials", func() *http.Request {
				req := form("POST", h.issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"circles:read"}})
				req.SetBasicAuth(p.id, p.secret)
				return req
			}, 400 /* the partner may not use this grant */, "oauth"},
			{"token endpoint: token exchange", func() *http.Request {
				return form("POST", h.issuer+"/oauth2/token", url.Values{"grant_type": {authz.GrantTokenExchange}, "client_id": {exchanger.ID},
					"subject_token": {token}, "subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
					"audience": {h.issuer + "/c/nosuchcode"}})
			}, 400 /* no such circle */, "oauth"},
			{"introspection", func() *http.Request {
				req := form("POST", h.issuer+"/oauth2/introspect", url.Values{"token": {token}})
				req.SetBasicAuth(p.id, p.secret)
				return req
			}, 200, "oauth"},
			{"userinfo", func() *http.Request {
				return withBearer(must(http.NewRequest("GET", h.issuer+"/userinfo", nil)), token)
			}, 200, "oauth"},
			{"revocation", func() *http.Request {
				req := form("POST", h.issuer+"/oauth2/revoke", url.Values{"token": {"not-a-token"}})
				req.SetBasicAuth(p.id, p.secret)
				return req
			}, 200, "oauth"},
			{"page behind the sign-in cookie", func() *http.Request { return must(http.NewRequest("GET", h.issuer+"/account", nil)) }, 200, "page"},
			{"authorization endpoint", func() *http.Request { return must(http.NewRequest("GET", authorize, nil)) }, 200 /* consent */, "page"},
		}
		for _, r := range requests {
			got := browse(t, b, r.req(), r.kind == "page")
			if got.status != r.before {
				t.Fatalf("%s before the outage: %d %s", r.name, got.status, got.body)
			}
		}
		if s := h.apiStatus("not-a-token"); s != 401 {
			t.Fatalf("inactive token before the outage: %d", s)
		}

		o.Cut()
		for _, r := range requests {
			t.Run(r.name, func(t *testing.T) {
				for _, lang := range []string{templates.English, templates.Chinese} {
					req := r.req()
					req.Header.Set("Accept-Language", map[string]string{templates.English: "en", templates.Chinese: "zh-CN"}[lang])
					got := browse(t, b, req, r.kind == "page")
					checkUnavailable(t, r.name, r.kind, lang, got)
				}
			})
		}
	})
}

// browse sends req, with the browser's cookies when it is a page.
func browse(t *testing.T, b *browser, req *http.Request, page bool) reply {
	t.Helper()
	if !page {
		return send(t, req)
	}
	pg := b.do(req)
	if pg.url.Path != req.URL.Path {
		t.Fatalf("%s went to %s (%d)", req.URL.Path, pg.url, pg.status)
	}
	return reply{pg.status, pg.header, pg.body}
}

func checkUnavailable(t *testing.T, name, kind, lang string, got reply) {
	t.Helper()
	if got.status != 503 || got.header.Get("Retry-After") != strconv.Itoa(int(problem.RetryUnavailable/time.Second)) {
		t.Fatalf("%s during the outage: %d, Retry-After %q: %s", name, got.status, got.header.Get("Retry-After"), got.body)
	}
	if strings.Contains(got.header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("%s: the token was called invalid: %v", name, got.header)
	}
	switch kind {
	case "api":
		var b problem.Body
		if err := json.Unmarshal([]byte(got.body), &b); err != nil || b.Type != problem.TypeBase+problem.EUnavailable ||
			got.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s: %v %s", name, err, got.body)
		}
	case "oauth":
		var e struct{ Error string }
		if err := json.Unmarshal([]byte(got.body), &e); err != nil || e.Error != "temporarily_unavailable" ||
			!strings.HasPrefix(got.header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: %v %s", name, err, got.body)
		}
	case "page":
		want := map[string][]string{
			templates.English: {`<html lang="en"`, "Temporarily unavailable", "Please try again in a moment."},
			templates.Chinese: {`<html lang="zh-Hans"`, "暂时无法使用", "请稍后重试"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(got.body, w) {
				t.Fatalf("%s (%s): the page lacks %q:\n%s", name, lang, w, got.body)
			}
		}
	}
}

func must(req *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return req
}
