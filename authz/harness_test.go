package authz_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/authz/otp"
	"qrcircles/authz/phoneauth"
	"qrcircles/authz/sms"
	"qrcircles/resource/api"
	"qrcircles/resource/circles"
	"qrcircles/resource/server"
	"qrcircles/static"
	"qrcircles/storage"
	"qrcircles/templates"
)

// harness is a running authorization server on a test database, with the console SMS sender
// feeding codes to the test.
type harness struct {
	t      *testing.T
	db     *storage.DB
	az     *authz.Server
	srv    *httptest.Server
	issuer string

	mu    sync.Mutex
	codes map[string]string // phone → last code sent
	scans []qrcircles.ScanResult
}

func newHarness(t *testing.T, db *storage.DB, tweak ...func(*authz.Options)) *harness {
	t.Helper()
	h := &harness{t: t, db: db, codes: map[string]string{}}
	h.srv = httptest.NewUnstartedServer(nil)
	h.issuer = "http://" + h.srv.Listener.Addr().String()
	issuer, _ := url.Parse(h.issuer)
	secret := []byte(strings.Repeat("k", 32))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	assets, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := templates.New(assets.URL)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := server.New(server.Deps{Logger: log, Database: db, Pages: pages, Assets: assets})
	if err != nil {
		t.Fatal(err)
	}
	phone := &phoneauth.Service{
		Store: db, Sender: &sms.Console{Sink: h.sink}, Policy: otp.DefaultPolicy(1000),
		Secret: authz.DeriveKey(secret, "sms-code"), DefaultRegion: "CN", Logger: log,
	}
	opts := authz.Options{Issuer: issuer, Secret: secret, Store: db, Phone: phone, Pages: pages, Logger: log}
	for _, f := range tweak {
		f(&opts)
	}
	h.az, err = authz.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	h.az.Mount(engine)
	h.az.OnScan(h.scanned)
	// The resource API, checking tokens in-process as in a single-process deployment.
	(&api.API{Circles: &circles.Service{Store: db, PublicURL: issuer}, Verifier: h.az}).Mount(engine.Group("/api/v1"))
	// What a circle's page does on the browser path: /test/scan?code=CODE scans that circle.
	engine.GET("/test/scan", func(c *gin.Context) {
		h.az.StartScan(c, h.issuer+"/c/"+c.Query("code"), time.Now(), "")
	})
	h.srv.Config.Handler = engine
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) sink(phone, code string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.codes[phone] = code
}

func (h *harness) scanned(c *gin.Context, r qrcircles.ScanResult) {
	h.mu.Lock()
	h.scans = append(h.scans, r)
	h.mu.Unlock()
	c.String(http.StatusOK, "scanned")
}

// scanResults returns the browser scans completed so far.
func (h *harness) scanResults() []qrcircles.ScanResult {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.scans)
}

// apiStatus is the resource API's answer to a request with the bearer token.
func (h *harness) apiStatus(token string) int {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.issuer+"/api/v1/me/circles", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func (h *harness) code(phone string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.codes[phone]
}

// browser is a person's browser: it keeps cookies and follows redirects on the server, but
// stops at a redirect that leaves it (to a client's redirect URI).
type browser struct {
	t      *testing.T
	h      *harness
	client *http.Client
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: h.t, h: h}
	b.client = &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), h.issuer) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

type page struct {
	status int
	url    *url.URL // where the browser ended up
	body   string
	header http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	u := res.Request.URL
	if loc := res.Header.Get("Location"); loc != "" && res.StatusCode/100 == 3 {
		u, _ = res.Request.URL.Parse(loc)
	}
	return page{status: res.StatusCode, url: u, body: string(body), header: res.Header}
}

func (b *browser) get(rawURL string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", rawURL, nil)
	return b.do(req)
}

var (
	csrfRe   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

// submit posts the page's first form with its hidden fields plus fields.
func (b *browser) submit(p page, fields url.Values) page {
	b.t.Helper()
	m := actionRe.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no form on %s (status %d):\n%s", p.url, p.status, p.body)
	}
	action, _ := p.url.Parse(htmlUnescape(m[1]))
	form := url.Values{}
	for _, hm := range hiddenRe.FindAllStringSubmatch(p.body, -1) {
		form.Set(hm[1], htmlUnescape(hm[2]))
	}
	for k, v := range fields {
		form[k] = v
	}
	req, _ := http.NewRequest("POST", action.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// signIn goes from a page that asked to sign in through the phone, the code and, for a new
// phone, the name, and returns where the browser lands.
func (b *browser) signIn(p page, phone, name string) page {
	b.t.Helper()
	if p.url.Path != "/login" {
		b.t.Fatalf("expected the login page, got %s (%d)", p.url, p.status)
	}
	p = b.submit(p, url.Values{"phone": {phone}})
	if p.url.Path != "/login/code" {
		b.t.Fatalf("after the phone: %s (%d)\n%s", p.url, p.status, p.body)
	}
	e164 := "+86" + strings.TrimPrefix(strings.ReplaceAll(phone, " ", ""), "+86")
	p = b.submit(p, url.Values{"code": {b.h.code(e164)}})
	if p.url.Path == "/register" {
		p = b.submit(p, url.Values{"name": {name}})
	}
	return p
}
