package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	_ "image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// smsLog is a slog handler that keeps the last code the console SMS sender logged per phone,
// so that a test can type it in like a person reading their phone.
type smsLog struct {
	mu    sync.Mutex
	codes map[string]string
	sent  map[string]int    // codes sent per phone
	texts map[string]string // the last text per phone, as the person reads it
}

func (l *smsLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *smsLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *smsLog) WithGroup(string) slog.Handler            { return l }

func (l *smsLog) Handle(_ context.Context, r slog.Record) error {
	if !strings.HasPrefix(r.Message, "SMS code") {
		return nil
	}
	var to, code, text string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "to":
			to = a.Value.String()
		case "code":
			code = a.Value.String()
		case "text":
			text = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.codes[to] = code
	if l.sent == nil {
		l.sent, l.texts = map[string]int{}, map[string]string{}
	}
	l.sent[to]++
	l.texts[to] = text
	return nil
}

// text is the last SMS text sent to phone.
func (l *smsLog) text(phone string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.texts[phone]
}

// count is the number of codes sent to phone so far.
func (l *smsLog) count(phone string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent[phone]
}

func (l *smsLog) code(t *testing.T, phone string) string {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.codes[phone]
	if !ok {
		t.Fatalf("no SMS code was sent to %s", phone)
	}
	return c
}

// site is the whole server on a fresh PostgreSQL database, for browsers.
type site struct {
	t    *testing.T
	app  *app
	db   *storage.DB
	base string
	sms  *smsLog
}

func newSite(t *testing.T) *site {
	t.Helper()
	return siteOn(t, storagetest.Postgres(t))
}

// siteOn is the whole server on db.
func siteOn(t *testing.T, db *storage.DB) *site {
	t.Helper()
	return siteAs(t, db, "")
}

// siteAs is siteOn with the server named host in its public URL (see serveAppAs).
func siteAs(t *testing.T, db *storage.DB, host string) *site {
	t.Helper()
	s := &site{t: t, db: db, sms: &smsLog{codes: map[string]string{}}}
	s.app, s.base = serveAppAs(t, s.db, slog.New(s.sms), host)
	return s
}

// user is someone known to the database without a browser (an organizer's applicant).
func (s *site) user(phone, name string) storage.User {
	s.t.Helper()
	return ensureUser(s.t, s.db, phone, name)
}

// browser is a person's browser: cookies kept, redirects followed.
type browser struct {
	s      *site
	client *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, client: &http.Client{Jar: jar}}
}

// browserIn is a browser whose person chose lang with the language switcher.
func (s *site) browserIn(lang string) *browser {
	b := s.browser()
	u, _ := url.Parse(s.base)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "qrc_lang", Value: lang, Path: "/"}})
	return b
}

// page is where a request ended up after its redirects.
type page struct {
	status int
	path   string // path and query of the final URL
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.s.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Request.URL.RequestURI(), res.Header, string(raw)}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest("GET", b.s.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	req, _ := http.NewRequest("POST", b.s.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) postFile(path string, fields map[string]string, fileName, content string) page {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", fileName)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.s.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// field returns the value of the page's first input named name.
func (p page) field(name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*? value="([^"]*)"`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// signIn goes through the login pages from p (the sign-in page), registering the name when
// the phone is new, and returns where the browser lands.
func (b *browser) signIn(p page, phone, name string) page {
	t := b.s.t
	t.Helper()
	if !strings.HasPrefix(p.path, "/login") || p.field("csrf") == "" {
		t.Fatalf("expected the sign-in page, at %s (%d)", p.path, p.status)
	}
	p = b.post("/login", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")}, "phone": {phone}})
	p = b.post("/login/code", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")},
		"c": {p.field("c")}, "code": {b.s.sms.code(t, phone)}})
	if strings.HasPrefix(p.path, "/register") {
		p = b.post("/register", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")}, "name": {name}})
	}
	return p
}

// organizer is a browser signed in as the organizer, with a circle made through the form.
func (s *site) organizer(phone string, form url.Values) (*browser, storage.Circle) {
	s.t.Helper()
	b := s.browser()
	p := b.signIn(b.get("/circles/new"), phone, "Olga Organizer")
	form.Set("csrf", p.field("csrf"))
	p = b.post("/circles/new", form)
	var id int64
	if _, err := fmt.Sscanf(p.path, "/circles/%d/manage", &id); err != nil || p.status != 200 {
		s.t.Fatalf("creating a circle ended at %s (%d): %s", p.path, p.status, p.body)
	}
	c, err := s.app.circles.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return b, c
}

func circleForm(title string, extra ...string) url.Values {
	f := url.Values{"title": {title}, "time_zone": {"Asia/Shanghai"}, "mode": {"rules"}, "location": {"Hall 1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// scan opens the circle's page in the browser and presses Join.
func (b *browser) scan(c storage.Circle) page {
	p := b.get("/c/" + c.Code)
	return b.post("/c/"+c.Code+"/join", url.Values{"csrf": {p.field("csrf")}, "ticket": {p.field("ticket")}})
}

func TestBrowserScanJoinsAtTheTimeThePageWasOpened(t *testing.T) {
	s := newSite(t)
	_, circle := s.organizer("+8613700000000", circleForm("Launch party", "starts_at", "2026-05-01T19:30", "ends_at", "2026-05-01T22:00"))

	b := s.browser()
	opened := time.Now()
	landing := b.get("/c/" + circle.Code)
	if landing.status != 200 || !strings.Contains(landing.body, "Launch party") || !strings.Contains(landing.body, "Fri 1 May 2026 19:30–22:00 (Asia/Shanghai)") ||
		landing.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("landing page: %d %v\n%s", landing.status, landing.header, landing.body)
	}
	time.Sleep(1100 * time.Millisecond)
	p := b.post("/c/"+circle.Code+"/join", url.Values{"csrf": {landing.field("csrf")}, "ticket": {landing.field("ticket")}})
	beforeSignIn := time.Now()
	p = b.signIn(p, "+8613800000001", "Ann Attendee")
	if p.status != 200 || p.path != fmt.Sprintf("/circles/%d/welcome", circle.ID) || !strings.Contains(p.body, "Ann Attendee") {
		t.Fatalf("after sign-in: %s (%d)\n%s", p.path, p.status, p.body)
	}
	var scan time.Time
	s.db.Gorm().Raw("SELECT scan_time FROM join_requests WHERE circle_id = ?", circle.ID).Scan(&scan)
	if d := scan.Sub(opened); d < -time.Second || d > time.Second || !scan.Before(beforeSignIn) {
		t.Fatalf("scan time %v; page opened %v, sign-in started %v", scan, opened, beforeSignIn)
	}
}

func TestOutOfRangeAttendeeWaitsUntilTheOrganizerApproves(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Trade show", "phone_prefixes", "+86138"))

	b := s.browser()
	p := b.signIn(b.scan(circle), "+8613900000002", "Bo Outsider")
	status := fmt.Sprintf("/circles/%d/status", circle.ID)
	if p.path != status || !strings.Contains(p.body, "Your phone number is not among those this circle admits at once") ||
		!strings.Contains(p.body, `<meta http-equiv="refresh" content="10">`) {
		t.Fatalf("applicant: %s (%d)\n%s", p.path, p.status, p.body)
	}
	if p := b.get(fmt.Sprintf("/circles/%d", circle.ID)); p.status != 403 {
		t.Fatalf("a waiting applicant saw inside the circle: %d", p.status)
	}

	if mine := org.get("/me/circles"); !strings.Contains(mine.body, "members: 0 · 1 waiting") || !strings.Contains(mine.body, "data-live-events") {
		t.Fatalf("the organizer's dashboard does not count the waiting request:\n%s", mine.body)
	}
	m := org.get(fmt.Sprintf("/circles/%d/manage", circle.ID))
	action := regexp.MustCompile(`action="(/circles/\d+/requests/\d+/approve)"`).FindStringSubmatch(m.body)
	if action == nil || !strings.Contains(m.body, "Bo Outsider") || !strings.Contains(m.body, "(Asia/Shanghai)") {
		t.Fatalf("review queue:\n%s", m.body)
	}
	if p := org.post(action[1], url.Values{"csrf": {m.field("csrf")}}); p.status != 200 || !strings.Contains(p.body, "Nobody is waiting") {
		t.Fatalf("approve: %s (%d)", p.path, p.status)
	}
	if p := b.get(status); p.path != fmt.Sprintf("/circles/%d/welcome", circle.ID) || !strings.Contains(p.body, "Bo Outsider") {
		t.Fatalf("after approval the applicant is at %s (%d)", p.path, p.status)
	}
	csv := fmt.Sprintf("/circles/%d/members.csv", circle.ID)
	if p := org.get(csv); p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") || !strings.Contains(p.body, "Bo Outsider") {
		t.Fatalf("the organizer's export: %d %q\n%s", p.status, p.header.Get("Content-Type"), p.body)
	}
	if p := b.get(csv); p.status != 403 {
		t.Fatalf("a member exported the circle: %d", p.status)
	}
}

func TestCreateFormAllowlistAndEdit(t *testing.T) {
	s := newSite(t)
	org := s.browser()
	p := org.signIn(org.get("/circles/new"), "+8613700000000", "Olga Organizer")
	bad := circleForm("Gala dinner", "phone_ranges", "+8613800000000..+86137", "csrf", p.field("csrf"))
	if p := org.post("/circles/new", bad); p.status != 400 || !strings.Contains(html.UnescapeString(p.body), "Phone ranges: from +8613800000000 is after to +86137") ||
		p.field("title") != "Gala dinner" || !strings.Contains(html.UnescapeString(p.body), ">+8613800000000..+86137</textarea>") {
		t.Fatalf("bad range: %d\n%s", p.status, p.body)
	}
	if p := org.post("/circles/new", circleForm("Gala dinner", "starts_at", "yesterday", "csrf", p.field("csrf"))); p.status != 400 || !strings.Contains(p.body, "not a date") {
		t.Fatalf("bad time: %d\n%s", p.status, p.body)
	}
	org2, circle := s.organizer("+8613700000009", circleForm("Gala dinner", "mode", "review"))
	manage := fmt.Sprintf("/circles/%d/manage", circle.ID)

	// Someone waits for review; the allowlist does not admit in review mode, the edit to
	// rule mode does.
	_, err := s.app.circles.Join(context.Background(), s.user("+8613800000003", "Cy"), circle.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m := org2.get(manage)
	csv := "phone,name\n+8613800000003,Cy\n13800000004,Di\n\"+86 138 0000 0005\",Ed\n"
	p = org2.postFile(fmt.Sprintf("/circles/%d/allowlist", circle.ID), map[string]string{"csrf": m.field("csrf")}, "guests.csv", csv)
	if p.status != 200 || !strings.Contains(p.body, "3 phone numbers are on the list") || !strings.Contains(p.body, "0 waiting requests were admitted") {
		t.Fatalf("allowlist upload: %s (%d)\n%s", p.path, p.status, p.body)
	}
	p = org2.post(fmt.Sprintf("/circles/%d/allowlist", circle.ID), url.Values{"csrf": {m.field("csrf")}, "allowlist": {"not a phone"}})
	if p.status != 400 || !strings.Contains(p.body, "not a phone") || !strings.Contains(p.body, "3 phone numbers are on the list") {
		t.Fatalf("bad allowlist: %d\n%s", p.status, p.body)
	}
	edit := circleForm("Gala dinner", "mode", "rules", "status", "open", "csrf", m.field("csrf"))
	if p := org2.post(manage, edit); p.status != 200 || !strings.Contains(p.body, "1 waiting requests were admitted") {
		t.Fatalf("edit: %d\n%s", p.status, p.body)
	}
	if ok, _ := s.db.IsMember(context.Background(), circle.ID, s.user("+8613800000003", "Cy").ID); !ok {
		t.Fatal("the listed applicant was not admitted")
	}
}

func TestCirclePagesRefuseKindly(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Meetup", "mode", "review"))
	b := s.browser()

	if p := b.get("/c/nosuchcode"); p.status != 404 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") || !strings.Contains(p.body, "No circle has this QR code") {
		t.Fatalf("unknown code: %d %s\n%s", p.status, p.header.Get("Content-Type"), p.body)
	}
	landing := b.get("/c/" + circle.Code)
	forged := fmt.Sprintf("%d.%s", time.Now().Unix(), strings.Split(landing.field("ticket"), ".")[1])
	forged = strings.Replace(forged, forged[:10], fmt.Sprint(time.Now().Unix()-60), 1)
	for _, ticket := range []string{forged, "", "1.x"} {
		if p := b.post("/c/"+circle.Code+"/join", url.Values{"csrf": {landing.field("csrf")}, "ticket": {ticket}}); p.status != 410 || !strings.Contains(p.body, "scan the QR code again") {
			t.Fatalf("ticket %q: %d\n%s", ticket, p.status, p.body)
		}
	}
	if p := b.post("/c/"+circle.Code+"/join", url.Values{"ticket": {landing.field("ticket")}}); p.status != 403 || !strings.Contains(p.body, "form has expired") {
		t.Fatalf("join without CSRF: %d\n%s", p.status, p.body)
	}
	if p := b.get("/me/circles"); !strings.HasPrefix(p.path, "/login?return_to=%2Fme%2Fcircles") {
		t.Fatalf("my circles signed out: %s", p.path)
	}

	p := b.signIn(b.scan(circle), "+8613800000001", "Ann")
	if !strings.Contains(p.body, "The organizer reviews every request") {
		t.Fatalf("review mode: %s\n%s", p.path, p.body)
	}
	if p := b.get("/me/circles"); !strings.Contains(p.body, "Meetup") || !strings.Contains(p.body, fmt.Sprintf("/circles/%d/status", circle.ID)) {
		t.Fatalf("my circles of a waiting applicant:\n%s", p.body)
	}
	if p := b.get(fmt.Sprintf("/circles/%d/manage", circle.ID)); p.status != 403 || !strings.Contains(p.body, "Only the circle&#39;s organizer") {
		t.Fatalf("non-organizer on manage: %d", p.status)
	}
	m := org.get(fmt.Sprintf("/circles/%d/manage", circle.ID))
	approve := regexp.MustCompile(`action="(/circles/\d+/requests/\d+/approve)"`).FindStringSubmatch(m.body)[1]
	if p := org.post(approve, url.Values{"csrf": {"forged"}}); p.status != 403 || !strings.Contains(p.body, "Ann") {
		t.Fatalf("approve without CSRF: %d", p.status)
	}
	if p := b.post(approve, url.Values{"csrf": {m.field("csrf")}}); p.status != 403 {
		t.Fatalf("an applicant approved themselves: %d", p.status)
	}
	if ok, _ := s.db.IsMember(context.Background(), circle.ID, s.user("+8613800000001", "Ann").ID); ok {
		t.Fatal("admitted without a valid form")
	}

	closed := circleForm("Meetup", "mode", "review", "status", "closed", "csrf", m.field("csrf"))
	org.post(fmt.Sprintf("/circles/%d/manage", circle.ID), closed)
	if p := b.get("/c/" + circle.Code); p.status != 410 || !strings.Contains(p.body, "closed") {
		t.Fatalf("closed circle: %d\n%s", p.status, p.body)
	}
}

func TestPosterAndQRCode(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Poster night"))
	circleURL := s.app.circles.URL(circle)

	p := s.browser().get("/c/" + circle.Code + "/poster")
	if p.status != 200 || !strings.Contains(p.body, `<p class="poster-url">`+circleURL+`</p>`) || !strings.Contains(p.body, "<svg") || !strings.Contains(p.body, "Poster night") {
		t.Fatalf("poster: %d\n%s", p.status, p.body)
	}

	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/circles/%d/qr.png?size=600", s.base, circle.ID), nil)
	res, err := org.client.Do(req)
	if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr.png: %v %v", res, err)
	}
	img, _, err := image.Decode(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	got, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || got.GetText() != circleURL {
		t.Fatalf("QR decodes to %v (%v), want %s", got, err, circleURL)
	}

	if p := org.get(fmt.Sprintf("/circles/%d/qr.svg?download=1", circle.ID)); p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Disposition"), "attachment") || !strings.HasPrefix(p.body, "<svg") {
		t.Fatalf("qr.svg download: %d %v", p.status, p.header)
	}
	if p := org.get(fmt.Sprintf("/circles/%d/qr.png?size=4000", circle.ID)); p.status != 400 {
		t.Fatalf("oversized QR: %d", p.status)
	}
	other := s.browser()
	other.signIn(other.get("/account"), "+8613800000001", "Nosy")
	if p := other.get(fmt.Sprintf("/circles/%d/qr.png", circle.ID)); p.status != 403 {
		t.Fatalf("someone else's QR: %d", p.status)
	}
}

func TestDemoMakesOneCircleAndPrintsItsCode(t *testing.T) {
	dsn := storagetest.NewPostgresDatabase(t)
	env := map[string]string{"QRC_DATABASE_URL": dsn, "QRC_PUBLIC_URL": "http://qr.example.test:8080",
		"QRC_DATA_DIR": t.TempDir(), "QRC_LOG_LEVEL": "error"}
	demo := func() string {
		var out, errOut bytes.Buffer
		m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
		if err := m.Run(context.Background(), []string{"demo"}); err != nil {
			t.Fatalf("demo: %v\n%s", err, errOut.String())
		}
		return out.String()
	}
	first, second := demo(), demo()
	circleURL := regexp.MustCompile(`http://qr\.example\.test:8080/c/[A-Za-z0-9_-]{16,}`).FindString(first)
	if circleURL == "" || !strings.Contains(first, "█") || !strings.Contains(first, "qrcircles serve") {
		t.Fatalf("demo output:\n%s", first)
	}
	if !strings.Contains(second, circleURL) {
		t.Fatalf("second run shows another circle:\n%s", second)
	}
	db, err := storage.Open(context.Background(), storage.Options{URL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	db.Gorm().Raw("SELECT count(*) FROM circles").Scan(&n)
	owner, err := db.UserByPhone(context.Background(), "+8613700000000")
	if n != 1 || err != nil || owner.DisplayName != "Demo Organizer" {
		t.Fatalf("%d circles, organizer %+v (%v)", n, owner, err)
	}
}
