package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"qrcircles/authz"
	"qrcircles/config"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// world is the whole server on a fresh database, with a partner app registered.
type world struct {
	t       *testing.T
	app     *app
	db      *storage.DB
	base    string
	partner string // a public client allowed to exchange tokens
}

// serveApp builds the whole server on db behind a test HTTP server; it returns the server
// and its base URL, which is also its public URL.
func serveApp(t *testing.T, db *storage.DB, log *slog.Logger) (*app, string) {
	t.Helper()
	return serveAppAs(t, db, log, "")
}

// serveAppAs is serveApp with the server named host in its public URL instead of its IP
// address ("" keeps the address): WebAuthn needs a domain name.
func serveAppAs(t *testing.T, db *storage.DB, log *slog.Logger, host string) (*app, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	if host != "" {
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		base = "http://" + net.JoinHostPort(host, port)
	}
	env := map[string]string{"QRC_PUBLIC_URL": base, "QRC_SECRET": testSecret, "QRC_DATA_DIR": t.TempDir()}
	cfg, _, err := config.Load(newFlagSet(), nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := buildApp(ctx, cfg, log, db)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv.Config.Handler = a.engine
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.push.Close(); cancel() })
	return a, base
}

// testSecret is the system secret of the servers the tests start.
var testSecret = strings.Repeat("e", 32)

// ensureUser makes a person known to the database, with a name, as registration would.
func ensureUser(t *testing.T, db *storage.DB, phone, name string) storage.User {
	t.Helper()
	ctx := context.Background()
	u, _, err := db.EnsureUser(ctx, phone, time.Now())
	if err == nil {
		err = db.SetDisplayName(ctx, u.ID, name, time.Now())
		u.DisplayName = name
	}
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func newWorld(t *testing.T, db *storage.DB) *world {
	t.Helper()
	w := &world{t: t, db: db}
	w.app, w.base = serveApp(t, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return w.withPartner()
}

// withPartner registers the partner app whose tokens the world's people use.
func (w *world) withPartner() *world {
	t := w.t
	c, _, err := w.app.authz.Clients().Create(context.Background(), authz.ClientSpec{
		Name: "Scanner App", Public: true, RedirectURIs: []string{"http://127.0.0.1/cb"},
		Scopes: []string{"circles:read", "circles:join", "circles:manage", "cards:read", "cards:write", "messages:read", "messages:write"},
		Grants: []string{authz.GrantAuthorizationCode, authz.GrantTokenExchange},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.partner = c.ID
	return w
}

// person is a user of the partner app with a user access token.
type person struct {
	w     *world
	user  storage.User
	token string
}

func (w *world) person(phone, name string) *person {
	w.t.Helper()
	ctx := context.Background()
	u := ensureUser(w.t, w.db, phone, name)
	tok, err := w.app.authz.IssueAccessToken(ctx, authz.TokenSpec{ClientID: w.partner, UserID: u.ID, Phone: u.Phone,
		Scopes: []string{"circles:read", "circles:join", "circles:manage", "cards:read", "cards:write", "messages:read", "messages:write"}, Lifespan: time.Hour})
	if err != nil {
		w.t.Fatal(err)
	}
	return &person{w: w, user: u, token: tok}
}

// call sends a JSON request with the token and decodes the answer into out (if not nil).
func (w *world) call(token, method, path string, body any, out any) int {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	res, raw := w.request(token, method, path, "application/json", rd)
	if out != nil && len(raw) > 0 {
		var te *json.UnmarshalTypeError
		if err := json.Unmarshal(raw, out); err != nil && !(res.StatusCode >= 400 && errors.As(err, &te)) {
			w.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
	}
	return res.StatusCode
}

// request sends body, exactly as given, with the token and returns the answer and its body.
func (w *world) request(token, method, path, ctype string, body io.Reader) (*http.Response, []byte) {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.base+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", ctype)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, raw
}

// scan exchanges the person's token for a scan session of the circle URL (RFC 8693).
func (p *person) scan(circleURL string) (string, int, map[string]any) {
	p.w.t.Helper()
	form := url.Values{"grant_type": {authz.GrantTokenExchange}, "client_id": {p.w.partner},
		"subject_token": {p.token}, "subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
		"audience": {circleURL}}
	res, err := http.PostForm(p.w.base+"/oauth2/token", form)
	if err != nil {
		p.w.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	tok, _ := out["access_token"].(string)
	return tok, res.StatusCode, out
}

type circleResp struct {
	ID     int64  `json:"id"`
	URL    string `json:"url"`
	Status string `json:"status"`
}

type joinResp struct {
	Status  string `json:"status"`
	Detail  string `json:"detail"`
	Request struct {
		ID      int64  `json:"id"`
		Status  string `json:"status"`
		Reasons []struct {
			Code string `json:"code"`
		} `json:"reasons"`
	} `json:"request"`
}

func (p *person) join(c circleResp) (int, joinResp) {
	p.w.t.Helper()
	tok, code, out := p.scan(c.URL)
	if code != 200 {
		p.w.t.Fatalf("token exchange for %s: %d %v", c.URL, code, out)
	}
	return p.joinWith(tok, c)
}

func (p *person) joinWith(scanToken string, c circleResp) (int, joinResp) {
	var r joinResp
	status := p.w.call(scanToken, "POST", fmt.Sprintf("/api/v1/circles/%d/join", c.ID), nil, &r)
	return status, r
}

func (w *world) members(token string, id int64) []string {
	w.t.Helper()
	var out struct {
		Members []struct {
			DisplayName string `json:"display_name"`
		} `json:"members"`
	}
	if s := w.call(token, "GET", fmt.Sprintf("/api/v1/circles/%d/members", id), nil, &out); s != 200 {
		w.t.Fatalf("members: %d", s)
	}
	var names []string
	for _, m := range out.Members {
		names = append(names, m.DisplayName)
	}
	return names
}

func TestCircleJourneyOnPostgres(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000000", "Organizer")
	now := time.Now().UTC()
	var x circleResp
	status := w.call(org.token, "POST", "/api/v1/circles", map[string]any{
		"title": "Launch party", "location": "Shanghai", "time_zone": "Asia/Shanghai",
		"not_before": now.Add(-time.Hour).Format(time.RFC3339), "not_after": now.Add(time.Hour).Format(time.RFC3339),
		"phone_prefixes": []string{"+86138"},
	}, &x)
	if status != 201 || !strings.HasPrefix(x.URL, w.base+"/c/") || len(strings.TrimPrefix(x.URL, w.base+"/c/")) < 16 {
		t.Fatalf("create: %d %+v", status, x)
	}

	a := w.person("+8613800000001", "A")
	if _, _, out := a.scan(x.URL); out["circle_id"] != float64(x.ID) {
		t.Fatalf("the token exchange does not say which circle: %v", out)
	}
	if s, r := a.join(x); s != 200 || r.Status != "joined" {
		t.Fatalf("A in range and window: %d %+v", s, r)
	}
	if s, r := a.join(x); s != 200 || r.Status != "joined" {
		t.Fatalf("A again: %d %+v", s, r)
	}

	b := w.person("+8613900000002", "B")
	s, r := b.join(x)
	if s != 202 || r.Status != "waiting" || len(r.Request.Reasons) != 1 || r.Request.Reasons[0].Code != "identity_not_in_range" {
		t.Fatalf("B out of range: %d %+v", s, r)
	}
	var patched struct{ Admitted int }
	if s := w.call(org.token, "PATCH", fmt.Sprintf("/api/v1/circles/%d", x.ID), map[string]any{"phone_prefixes": []string{"+86138", "+86139"}}, &patched); s != 200 || patched.Admitted != 1 {
		t.Fatalf("widening the range: %d %+v", s, patched)
	}
	if names := w.members(org.token, x.ID); strings.Join(names, ",") != "A,B" {
		t.Fatalf("members after widening: %v", names)
	}

	// The window closes; C scans afterwards and waits, with the reason.
	w.call(org.token, "PATCH", fmt.Sprintf("/api/v1/circles/%d", x.ID), map[string]any{"not_after": now.Add(-time.Minute).Format(time.RFC3339)}, nil)
	c := w.person("+8613800000003", "C")
	if s, r := c.join(x); s != 202 || r.Request.Reasons[0].Code != "scan_after_window" {
		t.Fatalf("C after the window: %d %+v", s, r)
	}
	var queue struct {
		Requests []struct {
			UserID int64 `json:"user_id"`
		} `json:"requests"`
	}
	w.call(org.token, "GET", fmt.Sprintf("/api/v1/circles/%d/requests", x.ID), nil, &queue)
	if len(queue.Requests) != 1 || queue.Requests[0].UserID != c.user.ID {
		t.Fatalf("review queue: %+v", queue)
	}
	if s := w.call(a.token, "GET", fmt.Sprintf("/api/v1/circles/%d/requests", x.ID), nil, nil); s != 403 {
		t.Fatalf("a member read the review queue: %d", s)
	}

	// The organizer approves C (overriding the window), denies F; C leaves, A is removed.
	_, cr := c.joinWith(mustScan(t, c, x.URL), x)
	cReq := fmt.Sprintf("/api/v1/circles/%d/requests/%d", x.ID, cr.Request.ID)
	if s := w.call(org.token, "POST", cReq+"/approve", nil, nil); s != 200 {
		t.Fatalf("approve: %d", s)
	}
	if s := w.call(org.token, "POST", cReq+"/approve", nil, nil); s != 409 {
		t.Fatalf("approving twice: %d", s)
	}
	f := w.person("+8613800000006", "F")
	_, fr := f.join(x)
	if s := w.call(org.token, "POST", fmt.Sprintf("/api/v1/circles/%d/requests/%d/deny", x.ID, fr.Request.ID), nil, nil); s != 200 {
		t.Fatalf("deny: %d", s)
	}
	if s, _ := f.join(x); s != 403 {
		t.Fatalf("denied applicant joined again: %d", s)
	}
	if names := w.members(org.token, x.ID); strings.Join(names, ",") != "A,B,C" {
		t.Fatalf("members after approval: %v", names)
	}
	if s := w.call(c.token, "DELETE", fmt.Sprintf("/api/v1/circles/%d/members/me", x.ID), nil, nil); s != 204 {
		t.Fatalf("leave: %d", s)
	}
	if s := w.call(a.token, "DELETE", fmt.Sprintf("/api/v1/circles/%d/members/%d", x.ID, b.user.ID), nil, nil); s != 403 {
		t.Fatalf("a member removed another: %d", s)
	}
	if s := w.call(org.token, "DELETE", fmt.Sprintf("/api/v1/circles/%d/members/%d", x.ID, b.user.ID), nil, nil); s != 204 {
		t.Fatalf("remove: %d", s)
	}
	if names := w.members(org.token, x.ID); strings.Join(names, ",") != "A" {
		t.Fatalf("members after leave and removal: %v", names)
	}
	if s, r := b.join(x); s != 202 || r.Request.Reasons[0].Code != "review_required" {
		t.Fatalf("a removed member scanning again should wait for review: %d %+v", s, r)
	}
	if s := w.call(c.token, "GET", fmt.Sprintf("/api/v1/circles/%d/members", x.ID), nil, nil); s != 403 {
		t.Fatalf("a former member still sees the members: %d", s)
	}

	// A repeated join makes no second membership.
	var count int64
	w.db.Gorm().Raw("SELECT count(*) FROM memberships WHERE circle_id = ?", x.ID).Scan(&count)
	if count != 1 {
		t.Fatalf("%d memberships, want 1", count)
	}

	// A scan session works for its one circle only, and only until it expires.
	var y circleResp
	w.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": "Other"}, &y)
	xTok, _, _ := a.scan(x.URL)
	if s, _ := a.joinWith(xTok, y); s != 403 {
		t.Fatalf("scan session of X at Y: %d", s)
	}
	expired, err := w.app.authz.IssueAccessToken(context.Background(), authz.TokenSpec{ClientID: w.partner, UserID: a.user.ID,
		Scopes: []string{"circles:join"}, Audience: []string{y.URL}, ScanTime: time.Now(), Lifespan: -time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := a.joinWith(expired, y); s != 401 {
		t.Fatalf("expired scan session: %d", s)
	}
	if s, _ := a.joinWith(a.token, y); s != 403 {
		t.Fatalf("a plain user token joined: %d", s)
	}

	// Unknown and closed circles.
	if _, s, out := a.scan(w.base + "/c/nosuchcircle"); s != 400 || out["error"] != "invalid_target" {
		t.Fatalf("unknown circle: %d %v", s, out)
	}
	yTok, _, _ := a.scan(y.URL)
	w.call(org.token, "PATCH", fmt.Sprintf("/api/v1/circles/%d", y.ID), map[string]any{"status": "closed"}, nil)
	if s, _ := a.joinWith(yTok, y); s != 410 {
		t.Fatalf("closed circle: %d", s)
	}
	if _, s, out := a.scan(y.URL); s != 400 || out["error"] != "invalid_target" {
		t.Fatalf("scan of a closed circle: %d %v", s, out)
	}
	if s := w.call(a.token, "GET", "/api/v1/circles/999999", nil, nil); s != 404 {
		t.Fatalf("unknown circle: %d", s)
	}
	outsider := w.person("+8613800000099", "Outsider")
	if s := w.call(outsider.token, "GET", fmt.Sprintf("/api/v1/circles/%d", x.ID), nil, nil); s != 404 {
		t.Fatalf("someone who never scanned the circle read it by its number: %d", s)
	}
	if s := w.call(mustScan(t, outsider, x.URL), "GET", fmt.Sprintf("/api/v1/circles/%d", x.ID), nil, nil); s != 200 {
		t.Fatalf("a scan session could not read its circle: %d", s)
	}

	// An exclusion pair cannot both be members; the refusal names nobody.
	var z circleResp
	w.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": "Dinner"}, &z)
	d, e := w.person("+8613800000004", "D"), w.person("+8613800000005", "E")
	if s := w.call(d.token, "POST", "/api/v1/me/exclusions", map[string]any{"phone": "138 0000 0005"}, nil); s != 201 {
		t.Fatalf("exclusion: %d", s)
	}
	if s, _ := d.join(z); s != 200 {
		t.Fatalf("D: %d", s)
	}
	s, r = e.join(z)
	if s != 403 || strings.Contains(r.Detail, "D") || strings.Contains(r.Detail, "0004") {
		t.Fatalf("E joined next to D, or the refusal leaks: %d %+v", s, r)
	}

	// The QR code decodes back to the circle URL.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/circles/%d/qr.png?size=400", w.base, x.ID), nil)
	req.Header.Set("Authorization", "Bearer "+org.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("qr.png: %v %v", res, err)
	}
	img, _, err := image.Decode(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	got, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || got.GetText() != x.URL {
		t.Fatalf("QR decodes to %v (%v), want %s", got, err, x.URL)
	}
}

func TestConcurrentJoinsKeepCapAndExclusionsOnPostgres(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000000", "Organizer")
	var capped circleResp
	w.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": "Small room", "member_cap": 10}, &capped)
	people := make([]*person, 50)
	for i := range people {
		people[i] = w.person(fmt.Sprintf("+86138%08d", i+1), fmt.Sprintf("P%d", i))
	}
	var wg sync.WaitGroup
	codes := make([]int, len(people))
	for i, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r joinResp
			codes[i], r = p.join(capped)
			if codes[i] != 200 && codes[i] != 202 {
				t.Errorf("join: %d %+v", codes[i], r)
			}
		}()
	}
	wg.Wait()
	joined := 0
	for _, c := range codes {
		if c == 200 {
			joined++
		} else if c != 202 {
			t.Fatalf("join answered %d", c)
		}
	}
	n, _ := w.db.MemberCount(context.Background(), capped.ID)
	if n != 10 || joined != 10 {
		t.Fatalf("%d members, %d told joined; cap is 10", n, joined)
	}

	// Pairs who exclude each other join the same circle at the same moment.
	for round := range 10 {
		var c circleResp
		w.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": fmt.Sprintf("Round %d", round)}, &c)
		d, e := w.person(fmt.Sprintf("+86139%08d", 2*round), "D"), w.person(fmt.Sprintf("+86139%08d", 2*round+1), "E")
		if s := w.call(e.token, "POST", "/api/v1/me/exclusions", map[string]any{"phone": d.user.Phone}, nil); s != 201 {
			t.Fatalf("exclusion: %d", s)
		}
		dTok, _, _ := d.scan(c.URL)
		eTok, _, _ := e.scan(c.URL)
		wg.Add(2)
		go func() { defer wg.Done(); d.joinWith(dTok, c) }()
		go func() { defer wg.Done(); e.joinWith(eTok, c) }()
		wg.Wait()
		if n, _ := w.db.MemberCount(context.Background(), c.ID); n > 1 {
			t.Fatalf("round %d: both of an exclusion pair are members", round)
		}
	}
	// The joins went in batches, which /metrics counts.
	b := w.db.JoinBatches()
	res, err := http.Get(w.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if want := fmt.Sprintf("qrcircles_joins_batched_total %d\n", b.Joins); b.Joins < 70 || !strings.Contains(string(body), want) {
		t.Errorf("batches %+v; /metrics lacks %q", b, want)
	}
}

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("test", flag.ContinueOnError) }

func mustScan(t *testing.T, p *person, circleURL string) string {
	t.Helper()
	tok, code, out := p.scan(circleURL)
	if code != 200 {
		t.Fatalf("token exchange: %d %v", code, out)
	}
	return tok
}

// TestResourceRoleVerifiesByIntrospection runs the API in a process of its own (role
// resource) that checks tokens at the authorization server by RFC 7662 introspection.
func TestResourceRoleVerifiesByIntrospection(t *testing.T) {
	db := storagetest.Postgres(t)
	w := newWorld(t, db) // the authorization server (role all)
	ctx := context.Background()
	rs, secret, err := w.app.authz.Clients().Create(ctx, authz.ClientSpec{Name: "Resource server",
		Scopes: []string{"circles:read"}, Grants: []string{authz.GrantClientCredentials}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	env := map[string]string{"QRC_ROLE": "resource", "QRC_PUBLIC_URL": w.base, "QRC_AUTHZ_URL": w.base,
		"QRC_INTROSPECTION_CLIENT_ID": rs.ID, "QRC_INTROSPECTION_CLIENT_SECRET": secret,
		"QRC_SECRET": strings.Repeat("e", 32), "QRC_DATA_DIR": t.TempDir()}
	cfg, _, err := config.Load(newFlagSet(), nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resource, err := buildApp(rctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	if err != nil {
		t.Fatal(err)
	}
	defer resource.push.Close()
	srv.Config.Handler = resource.engine
	srv.Start()
	defer srv.Close()
	apart := &world{t: t, app: w.app, db: db, base: srv.URL, partner: w.partner}

	org := w.person("+8613700000010", "Organizer")
	var c circleResp
	if s := apart.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": "Apart"}, &c); s != 201 {
		t.Fatalf("create through the resource server: %d", s)
	}
	a := w.person("+8613800000011", "A")
	scan := mustScan(t, a, c.URL) // from the authorization server
	var r joinResp
	if s := apart.call(scan, "POST", fmt.Sprintf("/api/v1/circles/%d/join", c.ID), nil, &r); s != 200 || r.Status != "joined" {
		t.Fatalf("join through the resource server: %d %+v", s, r)
	}
	if s := apart.call("not-a-token", "GET", "/api/v1/me/circles", nil, nil); s != 401 {
		t.Fatalf("bad token: %d", s)
	}
	if res, _ := http.Get(srv.URL + "/login"); res.StatusCode != 404 {
		t.Fatalf("the resource server serves sign-in pages: %d", res.StatusCode)
	}
}

// TestCardsThroughTheWholeServer: a member's card reaches a fellow member with the default
// (basic) fields only, through the assembled server.
func TestCardsThroughTheWholeServer(t *testing.T) {
	w := newWorld(t, storagetest.Open(t))
	org := w.person("+8613700000020", "Organizer")
	var c circleResp
	w.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": "Cards"}, &c)
	a, b := w.person("+8613800000021", "A"), w.person("+8613800000022", "B")
	a.join(c)
	b.join(c)
	card := map[string]any{"display_name": "Ann", "title": "CTO", "company": "Acme", "emails": []string{"ann@acme.example"}}
	if s := w.call(a.token, "PUT", "/api/v1/me/card", card, nil); s != 200 {
		t.Fatalf("put card: %d", s)
	}
	var seen map[string]any
	if s := w.call(b.token, "GET", fmt.Sprintf("/api/v1/circles/%d/members/cards", c.ID), nil, &seen); s != 200 {
		t.Fatalf("cards: %d", s)
	}
	raw, _ := json.Marshal(seen)
	if !strings.Contains(string(raw), "Acme") || strings.Contains(string(raw), "ann@acme.example") {
		t.Fatalf("fellow member sees %s", raw)
	}
}
