package authz_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"qrcircles/authz"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// shiftedClock is the server's clock, running with real time but shifted: the tests sign a
// person in "two hours ago" and then come back to the present.
type shiftedClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *shiftedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *shiftedClock) shift(d time.Duration) {
	c.mu.Lock()
	c.offset = d
	c.mu.Unlock()
}

// promptWorld is a harness on a shifted clock with a partner that a person has signed in to
// and consented to two hours ago.
type promptWorld struct {
	h      *harness
	clock  *shiftedClock
	p      *partner
	b      *browser
	phone  string
	signIn time.Time // when the person signed in, two hours ago
}

func newPromptWorld(t *testing.T, db *storage.DB) *promptWorld {
	t.Helper()
	clock := &shiftedClock{offset: -2 * time.Hour}
	h := newHarness(t, db, func(o *authz.Options) { o.Now = clock.now })
	w := &promptWorld{h: h, clock: clock, p: newPartner(t, h, "openid", "profile"), b: h.browser(), phone: "13700137000"}
	w.signIn = clock.now()
	w.p.authorize(t, w.b, w.phone, "Ma Li", oauth2.GenerateVerifier(), "nonce-abcdefgh") // signs in, consents
	clock.shift(0)
	return w
}

// authURL is the partner's authorization request with extra parameters.
func (w *promptWorld) authURL(verifier string, extra url.Values) string {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-abcdefgh")}
	for k := range extra {
		opts = append(opts, oauth2.SetAuthURLParam(k, extra.Get(k)))
	}
	return w.p.conf.AuthCodeURL("state-123", opts...)
}

// authTime exchanges the code and returns the ID token's auth_time.
func (w *promptWorld) authTime(t *testing.T, code, verifier string) time.Time {
	t.Helper()
	ctx := context.Background()
	tok, err := w.p.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := w.p.provider.Verifier(&oidc.Config{ClientID: w.p.id}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		AuthTime int64 `json:"auth_time"`
	}
	if err := idt.Claims(&claims); err != nil || claims.AuthTime == 0 {
		t.Fatalf("auth_time: %v %v", claims, err)
	}
	return time.Unix(claims.AuthTime, 0)
}

// atClient returns the code or error the browser brought to the partner, failing when the
// request stopped at a page of the server instead.
func atClient(t *testing.T, pg page) url.Values {
	t.Helper()
	if !strings.HasPrefix(pg.url.String(), partnerRedirect) {
		t.Fatalf("expected the partner's redirect URI, got %s (%d)\n%s", pg.url, pg.status, pg.body)
	}
	q := pg.url.Query()
	if q.Get("state") != "state-123" {
		t.Fatalf("state not returned: %v", q)
	}
	return q
}

func TestPromptNoneNeverShowsAPage(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newPromptWorld(t, db)
		none := url.Values{"prompt": {"none"}}
		tests := []struct {
			name    string
			browser func() *browser
			extra   url.Values
			error   string // "" means a code
		}{
			{"not signed in", w.h.browser, none, "login_required"},
			{"no consent to this client yet", func() *browser {
				b := w.h.browser()
				b.signIn(b.get(w.h.issuer+"/login?return_to=/account"), "13700137001", "Niu")
				return b
			}, none, "consent_required"},
			{"registration not finished", func() *browser {
				b := w.h.browser()
				pg := b.submit(b.get(w.h.issuer+"/login?return_to=/account"), url.Values{"phone": {"13700137002"}})
				if pg = b.submit(pg, url.Values{"code": {w.h.code("+8613700137002")}}); pg.url.Path != "/register" {
					t.Fatalf("expected the registration page, got %s", pg.url)
				}
				return b
			}, none, "interaction_required"},
			{"sign-in older than max_age", func() *browser { return w.b }, url.Values{"prompt": {"none"}, "max_age": {"3600"}}, "login_required"},
			{"signed in, consented, recent enough", func() *browser { return w.b }, url.Values{"prompt": {"none"}, "max_age": {"86400"}}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q := atClient(t, tt.browser().get(w.authURL(oauth2.GenerateVerifier(), tt.extra)))
				if q.Get("error") != tt.error || (tt.error == "") != (q.Get("code") != "") {
					t.Fatalf("want error %q, got %v", tt.error, q)
				}
			})
		}
	})
}

func TestFreshSignInIsAskedForAndTheRequestContinues(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newPromptWorld(t, db)
		tests := []struct {
			name   string
			extra  url.Values
			signIn bool // the person must sign in again
		}{
			{"prompt=login", url.Values{"prompt": {"login"}}, true},
			{"max_age exceeded", url.Values{"max_age": {"3600"}}, true},
			{"max_age=0", url.Values{"max_age": {"0"}}, true},
			{"max_age not exceeded", url.Values{"max_age": {"86400"}}, false},
			{"neither", url.Values{}, false},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Each case: a person of its own (SMS codes are limited per phone) who signed
				// in and consented two hours ago.
				b, phone := w.h.browser(), "1370013710"+strconv.Itoa(i)
				w.clock.shift(-2 * time.Hour)
				w.p.authorize(t, b, phone, "Case "+strconv.Itoa(i), oauth2.GenerateVerifier(), "nonce-abcdefgh")
				w.clock.shift(0)
				before := time.Now().Add(-time.Second)
				verifier := oauth2.GenerateVerifier()
				pg := b.get(w.authURL(verifier, tt.extra))
				if asked := pg.url.Path == "/login"; asked != tt.signIn {
					t.Fatalf("sign-in asked: %v, want %v (%s)", asked, tt.signIn, pg.url)
				}
				if tt.signIn {
					pg = b.signIn(pg, phone, "")
				}
				code := atClient(t, pg).Get("code") // no second sign-in, no consent page
				if code == "" {
					t.Fatalf("no code: %s", pg.url)
				}
				authTime := w.authTime(t, code, verifier)
				if fresh := !authTime.Before(before); fresh != tt.signIn {
					t.Fatalf("auth_time %s is fresh: %v, want %v", authTime, fresh, tt.signIn)
				}
			})
		}
	})
}

func TestPromptConsentAsksAgain(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newPromptWorld(t, db)
		for _, tt := range []struct {
			prompt string
			asked  bool
		}{{"", false}, {"consent", true}, {"login consent", true}} {
			t.Run("prompt="+tt.prompt, func(t *testing.T) {
				extra := url.Values{}
				if tt.prompt != "" {
					extra.Set("prompt", tt.prompt)
				}
				pg := w.b.get(w.authURL(oauth2.GenerateVerifier(), extra))
				if pg.url.Path == "/login" {
					pg = w.b.signIn(pg, w.phone, "")
				}
				asked := strings.Contains(pg.body, `name="decision"`)
				if asked != tt.asked {
					t.Fatalf("consent page shown: %v, want %v (%s %d)", asked, tt.asked, pg.url, pg.status)
				}
				if asked {
					pg = w.b.submit(pg, url.Values{"decision": {"allow"}})
				}
				if atClient(t, pg).Get("code") == "" {
					t.Fatalf("no code after consent: %s", pg.url)
				}
			})
		}
	})
}

func TestForgedResumeMarkDoesNotSkipSignIn(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newPromptWorld(t, db)
		// A mark from another request, and one written by hand, both claiming the request
		// is older than the sign-in.
		pg := w.h.browser().get(w.authURL(oauth2.GenerateVerifier(), url.Values{"prompt": {"login"}}))
		back, _ := url.Parse(pg.url.Query().Get("return_to"))
		other := back.Query().Get("qrc_requested_at")
		if other == "" {
			t.Fatalf("the sign-in page does not carry the request back: %s", pg.url)
		}
		for _, mark := range []string{other, "1.AAAA"} {
			pg := w.b.get(w.authURL(oauth2.GenerateVerifier(), url.Values{"prompt": {"login"}, "qrc_requested_at": {mark}}))
			if pg.url.Path != "/login" || pg.status != http.StatusOK {
				t.Fatalf("mark %q skipped the sign-in: %s (%d)", mark, pg.url, pg.status)
			}
		}
	})
}
