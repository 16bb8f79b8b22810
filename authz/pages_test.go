package authz_test

import (
	"fmt"
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

// clock is a test clock the harness's pages and SMS limits read.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func withClock(c *clock) func(*authz.Options) { return func(o *authz.Options) { o.Now = c.Now } }

func TestLoginPagesAreProtected(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	p := h.browser().get(h.issuer + "/login")
	csp := p.header.Get("Content-Security-Policy")
	if p.status != 200 || !strings.Contains(csp, "frame-ancestors 'none'") || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, CSP %q", p.status, csp)
	}
	if !csrfRe.MatchString(p.body) {
		t.Fatal("login form has no CSRF token")
	}
	// A post without this browser's token is refused, and no code is sent.
	res, err := http.PostForm(h.issuer+"/login", url.Values{"phone": {"13800138000"}, "csrf": {"forged"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || h.code("+8613800138000") != "" {
		t.Fatalf("forged post: %d", res.StatusCode)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	b := h.browser()
	p := b.signIn(b.get(h.issuer+"/login"), "13700137000", "Chen")
	if p.url.Path != "/account" {
		t.Fatalf("after sign-in: %s", p.url)
	}
	u, _ := url.Parse(h.issuer)
	var found bool
	for _, c := range b.client.Jar.Cookies(u) {
		found = found || c.Name == "qrc_session"
	}
	if !found {
		t.Fatal("no session cookie")
	}
	// The jar hides flags; ask again and read Set-Cookie.
	res, err := http.PostForm(h.issuer+"/login/code", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, sc := range res.Header.Values("Set-Cookie") {
		if !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") {
			t.Fatalf("cookie without HttpOnly/SameSite: %s", sc)
		}
	}
}

func TestReturnToStaysOnThisSite(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	for i, rt := range []string{"https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		b := h.browser()
		p := b.signIn(b.get(h.issuer+"/login?return_to="+url.QueryEscape(rt)), fmt.Sprintf("1360013600%d", i), "Zhou")
		if p.url.Host != strings.TrimPrefix(h.issuer, "http://") || p.url.Path != "/account" {
			t.Fatalf("return_to %q led to %s", rt, p.url)
		}
	}
}

func TestPhoneAndCodeMistakesGetFriendlyPages(t *testing.T) {
	clk := &clock{now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	h := newHarness(t, storagetest.Open(t), withClock(clk))
	b := h.browser()
	login := b.get(h.issuer + "/login")

	p := b.submit(login, url.Values{"phone": {"12"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `class="error"`) {
		t.Fatalf("invalid phone: %d\n%s", p.status, p.body)
	}

	p = b.submit(login, url.Values{"phone": {"13500135000"}})
	if p.url.Path != "/login/code" {
		t.Fatalf("send: %s %d", p.url, p.status)
	}
	codePage := p
	wrong := "000000"
	if h.code("+8613500135000") == wrong {
		wrong = "111111"
	}
	p = b.submit(codePage, url.Values{"code": {wrong}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "4") {
		t.Fatalf("wrong code should say tries are left: %d\n%s", p.status, p.body)
	}

	// A second code within 60 s is refused with when to retry.
	p = b.submit(login, url.Values{"phone": {"13500135000"}})
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "s") {
		t.Fatalf("second send: %d %q\n%s", p.status, p.header.Get("Retry-After"), p.body)
	}

	// After five minutes the code has expired.
	clk.Add(5*time.Minute + time.Second)
	p = b.submit(codePage, url.Values{"code": {h.code("+8613500135000")}})
	if p.status != http.StatusGone || !strings.Contains(p.body, "expired") {
		t.Fatalf("expired code: %d\n%s", p.status, p.body)
	}
}

func TestConsentIsRememberedAndRevocable(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	p := newPartner(t, h, "openid", "profile")
	b := h.browser()
	verifier := oauth2.GenerateVerifier()
	first := b.get(p.conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier)))
	first = b.signIn(first, "13300133000", "Wu")
	if !strings.Contains(first.body, "Partner App") || !strings.Contains(first.body, "decision") {
		t.Fatalf("expected the consent page, got %s\n%s", first.url, first.body)
	}
	if deny := b.submit(first, url.Values{"decision": {"deny"}}); deny.url.Query().Get("error") != "access_denied" {
		t.Fatalf("deny: %s", deny.url)
	}
	p.authorize(t, b, "", "", verifier, "nonce-abcdefgh") // allows on the consent page
	again := b.get(p.conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier)))
	if !strings.HasPrefix(again.url.String(), partnerRedirect) {
		t.Fatalf("consent not remembered: %s", again.url)
	}
	account := b.get(h.issuer + "/account")
	if !strings.Contains(account.body, "Partner App") {
		t.Fatalf("account page does not list the consent:\n%s", account.body)
	}
	b.submit(formFor(account, "/account/consents/revoke"), nil)
	after := b.get(p.conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier)))
	if !strings.Contains(after.body, "decision") {
		t.Fatalf("after withdrawing, consent should be asked again: %s", after.url)
	}
}

// formFor cuts the page down to the form posting to action.
func formFor(p page, action string) page {
	i := strings.Index(p.body, `action="`+action+`"`)
	if i < 0 {
		return p
	}
	start := strings.LastIndex(p.body[:i], "<form")
	p.body = p.body[start:]
	return p
}

func TestLogout(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	b := h.browser()
	acct := b.signIn(b.get(h.issuer+"/login"), "13200132000", "Zheng")
	b.submit(formFor(acct, "/logout"), nil)
	if p := b.get(h.issuer + "/account"); p.url.Path != "/login" {
		t.Fatalf("still signed in after logout: %s", p.url)
	}
}
