package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"qrcircles/resource/qr"
)

// qrcirclesBin is the server's command, built once for every test here.
var qrcirclesBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "partner-example")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	qrcirclesBin = filepath.Join(dir, "qrcircles")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	out, err := exec.CommandContext(ctx, "go", "build", "-o", qrcirclesBin, "../qrcircles").CombinedOutput()
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building qrcircles: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"--issuer", "http://x", "--client-id", "c", "--circle", "http://x/c/a"}, ""},
		{[]string{"--issuer", "http://x", "--client-id", "c", "--qr", "a.png", "--events", "3"}, ""},
		{[]string{"--client-id", "c", "--circle", "http://x/c/a"}, "--issuer and --client-id are required"},
		{[]string{"--issuer", "http://x", "--client-id", "c"}, "give either --circle or --qr"},
		{[]string{"--issuer", "http://x", "--client-id", "c", "--circle", "u", "--qr", "f"}, "give either --circle or --qr"},
		{[]string{"--issuer", "http://x", "--client-id", "c", "--circle", "u", "--events", "-1"}, "--events must not be negative"},
		{[]string{"--issuer", "http://x", "--client-id", "c", "--circle", "u", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		_, err := parseFlags(tt.args, io.Discard)
		if got := fmt.Sprint(err); (tt.err == "" && err != nil) || (tt.err != "" && got != tt.err) {
			t.Errorf("parseFlags(%q) = %v, want %q", tt.args, err, tt.err)
		}
	}
}

func TestCheckRedirect(t *testing.T) {
	const iss, state = "https://circles.example", "s1"
	with := metadata{Issuer: iss, ISSParameter: true}
	without := metadata{Issuer: iss}
	tests := []struct {
		query string
		meta  metadata
		err   string
	}{
		{"code=c&state=s1&iss=https%3A%2F%2Fcircles.example", with, ""},
		{"code=c&state=s1", without, ""},
		{"code=c&state=s1&iss=https%3A%2F%2Fcircles.example", without, ""},
		{"code=c&state=s1", with, "sign-in: the response does not name its issuer"},
		{"code=c&state=s1&iss=https%3A%2F%2Fevil.example", with, `sign-in: the response comes from issuer "https://evil.example", not "https://circles.example"`},
		{"code=c&state=s1&iss=https%3A%2F%2Fevil.example", without, `sign-in: the response comes from issuer "https://evil.example", not "https://circles.example"`},
		{"error=access_denied&error_description=no&state=s1&iss=https%3A%2F%2Fevil.example", with, `sign-in: the response comes from issuer "https://evil.example", not "https://circles.example"`},
		{"error=access_denied&error_description=no&state=s1&iss=https%3A%2F%2Fcircles.example", with, "sign-in refused: access_denied: no"},
		{"code=c&state=s2&iss=https%3A%2F%2Fcircles.example", with, "sign-in: the redirect's state does not match"},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		err := checkRedirect(q, state, tt.meta)
		if got := fmt.Sprint(err); (tt.err == "" && err != nil) || (tt.err != "" && got != tt.err) {
			t.Errorf("checkRedirect(%s, iss parameter %v) = %v, want %q", tt.query, tt.meta.ISSParameter, err, tt.err)
		}
	}
}

// TestPartnerJoinsFromAQRCode runs the program against the real server: it decodes the demo
// circle's QR code, signs a new person in through the server's pages, joins, and prints the
// member.joined event from the stream. The stream replays the circle's history, so two
// events: circle.created, then this join.
func TestPartnerJoinsFromAQRCode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := startServer(ctx, t)
	clientID := srv.registerClient(ctx, t)
	circleURL := srv.demoCircle(ctx, t)
	png, err := qr.PNG(circleURL, 400)
	if err != nil {
		t.Fatal(err)
	}
	qrFile := filepath.Join(t.TempDir(), "circle.png")
	if err := os.WriteFile(qrFile, png, 0o600); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	person := &browser{srv: srv, phone: "+8613800000001", name: "Pat Partner"}
	err = run(ctx, []string{"--issuer", srv.base, "--client-id", clientID, "--qr", qrFile, "--events", "2"}, &out, person.signIn(ctx))
	t.Logf("output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"QR code: " + circleURL + "\n", "signed in\n", "join: joined\n", " member.joined {"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	if n := strings.Count(out.String(), "\nevent "); n != 2 {
		t.Errorf("%d events printed, want 2 (--events 2)", n)
	}
}

// server is `qrcircles serve` running on a data folder of its own (SQLite).
type server struct {
	base string
	env  []string
	sms  chan sms // the codes the console SMS sender logs
}

type sms struct{ to, code string }

func startServer(ctx context.Context, t *testing.T) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{base: "http://" + addr, sms: make(chan sms, 16), env: append(os.Environ(),
		"QRC_LISTEN="+addr, "QRC_PUBLIC_URL=http://"+addr, "QRC_DATA_DIR="+t.TempDir(),
		"QRC_DATABASE_URL=", "QRC_SMS_PROVIDER=console", "QRC_LOG_FORMAT=json", "QRC_LOG_LEVEL=info")}
	s.command(ctx, t, "migrate", "up") // so that serve and the commands below find the database made

	cmd := exec.CommandContext(ctx, qrcirclesBin, "serve")
	cmd.Env = s.env
	logs, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go s.readLog(t, logs, done)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		<-done
		_ = cmd.Wait()
	})
	s.waitReady(ctx, t)
	return s
}

// readLog passes the SMS codes in the server's JSON log to s.sms and keeps the rest for
// t.Log.
func (s *server) readLog(t *testing.T, r io.Reader, done chan<- struct{}) {
	defer close(done)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var line struct{ Msg, To, Code string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && strings.HasPrefix(line.Msg, "SMS code") {
			s.sms <- sms{line.To, line.Code}
			continue
		}
		t.Logf("server: %s", sc.Text())
	}
}

func (s *server) waitReady(ctx context.Context, t *testing.T) {
	t.Helper()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/.well-known/oauth-authorization-server", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the server at %s did not start: %v", s.base, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// command runs `qrcircles ARGS` on the server's data and returns its output.
func (s *server) command(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, qrcirclesBin, args...)
	cmd.Env = s.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("qrcircles %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func (s *server) registerClient(ctx context.Context, t *testing.T) string {
	t.Helper()
	out := s.command(ctx, t, "client", "create", "--name", "Partner", "--public",
		"--redirect-uri", "http://127.0.0.1/callback", "--scope", "openid circles:read circles:join",
		"--grant", "authorization_code", "--grant", "urn:ietf:params:oauth:grant-type:token-exchange", "--json")
	var c struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientID == "" {
		t.Fatalf("client create printed %q (%v)", out, err)
	}
	return c.ClientID
}

// demoCircle is the URL of the circle `qrcircles demo` makes.
func (s *server) demoCircle(ctx context.Context, t *testing.T) string {
	t.Helper()
	out := s.command(ctx, t, "demo")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(s.base) + `/c/\S+$`).FindString(out)
	if m == "" {
		t.Fatalf("no circle URL in the demo's output:\n%s", out)
	}
	return m
}

// browser plays the person at the system browser: sign-in pages, SMS code read from the
// server's log, registration and consent, then back to the app's loopback redirect.
type browser struct {
	srv         *server
	phone, name string
}

var (
	formRe   = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
)

func (b *browser) signIn(ctx context.Context) func(string) error {
	return func(authURL string) error {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		p, err := get(ctx, c, authURL)
		if err != nil {
			return err
		}
		for range 6 { // login, code, name, consent: a few forms at most
			var fields url.Values
			switch p.url.Path {
			case "/callback":
				if p.status != http.StatusOK {
					return fmt.Errorf("the app's redirect answered %d: %s", p.status, p.body)
				}
				return nil
			case "/login":
				fields = url.Values{"phone": {b.phone}}
			case "/login/code":
				code, err := b.code(ctx)
				if err != nil {
					return err
				}
				fields = url.Values{"code": {code}}
			case "/register":
				fields = url.Values{"name": {b.name}}
			case "/oauth2/auth":
				fields = url.Values{"decision": {"allow"}}
			default:
				return fmt.Errorf("unexpected page %s (%d):\n%s", p.url, p.status, p.body)
			}
			if p, err = submit(ctx, c, p, fields); err != nil {
				return err
			}
		}
		return fmt.Errorf("sign-in did not end, at %s (%d):\n%s", p.url, p.status, p.body)
	}
}

func (b *browser) code(ctx context.Context) (string, error) {
	for {
		select {
		case m := <-b.srv.sms:
			if m.to == b.phone {
				return m.code, nil
			}
		case <-ctx.Done():
			return "", fmt.Errorf("no SMS code for %s: %w", b.phone, ctx.Err())
		}
	}
}

type page struct {
	url    *url.URL
	status int
	body   string
}

func get(ctx context.Context, c *http.Client, u string) (page, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return page{}, err
	}
	return do(c, req)
}

// submit posts the page's form with its hidden fields and fields.
func submit(ctx context.Context, c *http.Client, p page, fields url.Values) (page, error) {
	m := formRe.FindStringSubmatch(p.body)
	if m == nil {
		return page{}, fmt.Errorf("no form on %s (%d):\n%s", p.url, p.status, p.body)
	}
	action, err := p.url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		return page{}, err
	}
	form := url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(p.body, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	for k, v := range fields {
		form[k] = v
	}
	req, err := http.NewRequestWithContext(ctx, "POST", action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return page{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(c, req)
}

func do(c *http.Client, req *http.Request) (page, error) {
	res, err := c.Do(req)
	if err != nil {
		return page{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return page{res.Request.URL, res.StatusCode, string(body)}, err
}

// TestFollowEventsDoesNotCountAReset: a server that no longer holds the oldest events says
// "reset" first; the program prints it and still waits for n real events.
func TestFollowEventsDoesNotCountAReset(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Last-Event-ID") != "0" {
			t.Errorf("Last-Event-ID %q, want 0", r.Header.Get("Last-Event-ID"))
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "retry: 2000\n\nid: 7\nevent: reset\ndata: {\"reason\":\"history_expired\"}\n\n: heartbeat\n\n"+
			"id: 8\nevent: member.joined\ndata: {\"user_id\":2}\n\nid: 9\nevent: card.updated\ndata: {}\n\n")
	}))
	defer srv.Close()
	var out strings.Builder
	if err := followEvents(t.Context(), srv.Client(), srv.URL, 1, &out); err != nil {
		t.Fatal(err)
	}
	want := "event 7 reset {\"reason\":\"history_expired\"}\nevent 8 member.joined {\"user_id\":2}\n"
	if out.String() != want {
		t.Fatalf("printed\n%s\nwant\n%s", out.String(), want)
	}
}
