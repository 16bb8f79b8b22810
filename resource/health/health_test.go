package health_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/health"
	"qrcircles/resource/push"
	"qrcircles/storage"
	"qrcircles/templates"
)

var (
	_ health.Hub      = (*push.Hub)(nil)
	_ health.Migrator = (*storage.DB)(nil)
)

var started = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// ok is a passing check whose detail is a name.
func ok(name, detail string) health.Check {
	return health.Check{Name: name, Run: func(context.Context) (qrcircles.Words, error) { return qrcircles.Say("checks.value", detail), nil }}
}

func failing(name string, detail qrcircles.Words, err error) health.Check {
	return health.Check{Name: name, Run: func(context.Context) (qrcircles.Words, error) { return detail, err }}
}

func newHandler(t *testing.T, pages bool, checks ...health.Check) *health.Handler {
	t.Helper()
	o := health.Options{Checks: checks, Version: "v1.2.3", Role: "all", Started: started,
		Now:  func() time.Time { return started.Add(90 * time.Minute) },
		Live: func() int { return 7 }, Pool: func() sql.DBStats { return sql.DBStats{OpenConnections: 4, InUse: 1, Idle: 3} },
		Timeout: 200 * time.Millisecond}
	if pages {
		r, err := templates.New(func(name string) string { return "/static/" + name })
		if err != nil {
			t.Fatal(err)
		}
		o.Pages = r
	}
	return health.New(o)
}

type answer struct {
	status int
	header http.Header
	body   string
}

func get(h http.Handler, url string, header ...string) answer {
	req := httptest.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return answer{w.Code, w.Header(), w.Body.String()}
}

func report(t *testing.T, a answer) health.Report {
	t.Helper()
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want JSON:\n%s", ct, a.body)
	}
	var r health.Report
	if err := json.Unmarshal([]byte(a.body), &r); err != nil {
		t.Fatalf("%v\n%s", err, a.body)
	}
	return r
}

func TestHealthStatusFollowsTheChecks(t *testing.T) {
	secret := errors.New("dial tcp db.internal:5432: password authentication failed for user qrc")
	tests := []struct {
		name    string
		checks  []health.Check
		status  int
		failing []string
	}{
		{"all ok", []health.Check{ok("database", "postgres"), ok("sms", "console")}, 200, nil},
		{"one failing", []health.Check{ok("database", "postgres"), failing("migrations", qrcircles.Say("checks.pending", 1, "19", "qrcircles migrate up"), errors.New("pending")), ok("sms", "console")},
			503, []string{"migrations"}},
		{"error without detail", []health.Check{failing("database", qrcircles.Words{}, secret)}, 503, []string{"database"}},
		{"no checks", nil, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := get(newHandler(t, true, tt.checks...), "/health", "Accept", "application/json")
			if a.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", a.status, tt.status, a.body)
			}
			if cc := a.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			r := report(t, a)
			var got []string
			for _, c := range r.Checks {
				if c.Status == health.StatusFailing {
					got = append(got, c.Name)
				} else if c.Status != health.StatusOK {
					t.Errorf("check %s: status %q", c.Name, c.Status)
				}
			}
			if !reflect.DeepEqual(got, tt.failing) {
				t.Errorf("failing %v, want %v", got, tt.failing)
			}
			if want := map[bool]string{true: "ok", false: "failing"}[tt.failing == nil]; r.Status != want {
				t.Errorf("status %q, want %q", r.Status, want)
			}
			if strings.Contains(a.body, "db.internal") || strings.Contains(a.body, "password") {
				t.Errorf("the check's error reached the page:\n%s", a.body)
			}
		})
	}
}

func TestHealthJSONShape(t *testing.T) {
	h := newHandler(t, true, ok("database", "postgres"), failing("live_events", qrcircles.Say("checks.hub_stopped"), errors.New("stopped")))
	a := get(h, "/health?format=json", "Accept", "text/html")
	var doc map[string]any
	if err := json.Unmarshal([]byte(a.body), &doc); err != nil {
		t.Fatalf("%v\n%s", err, a.body)
	}
	keys := func(v any) []string {
		var ks []string
		for k := range v.(map[string]any) {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	checks := doc["checks"].([]any)
	facts := doc["facts"].(map[string]any)
	for _, c := range []struct {
		what string
		got  []string
		want []string
	}{
		{"report", keys(doc), []string{"checked_at", "checks", "facts", "status"}},
		{"check", keys(checks[0]), []string{"detail", "duration_ms", "name", "status"}},
		{"facts", keys(facts), []string{"database_pool", "live_connections", "role", "started_at", "uptime_seconds", "version"}},
		{"pool", keys(facts["database_pool"]), []string{"idle", "in_use", "open"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s keys %v, want %v", c.what, c.got, c.want)
		}
	}
	r := report(t, a)
	wantFacts := health.Facts{Version: "v1.2.3", Role: "all", StartedAt: started, UptimeSeconds: 5400, LiveConnections: 7,
		DatabasePool: health.Pool{InUse: 1, Idle: 3, Open: 4}}
	if r.Facts != wantFacts {
		t.Errorf("facts %+v, want %+v", r.Facts, wantFacts)
	}
	if r.CheckedAt != started.Add(90*time.Minute) {
		t.Errorf("checked_at %v", r.CheckedAt)
	}
	if r.Checks[0].Name != "database" || r.Checks[0].Detail != "postgres" || r.Checks[0].DurationMS < 0 {
		t.Errorf("first check %+v", r.Checks[0])
	}
	if d := r.Checks[1].Detail; d != "not running: starting, or stopped" {
		t.Errorf("JSON detail %q, want it in English", d)
	}
}

func TestHealthPageInBothLanguages(t *testing.T) {
	h := newHandler(t, true, ok("database", "sqlite"), failing("migrations", qrcircles.Say("checks.pending", 2, "18, 19", "qrcircles migrate up"), errors.New("pending")))
	for _, c := range []struct {
		lang, want, notWant, uptime string
	}{
		{"en", "This instance is not healthy. Failing: migrations", "待应用", "1h30m0s"},
		{"zh-CN", "此实例运行异常。故障项：migrations", "2 pending", "1小时30分0秒"},
		{"zh-CN", "2 个待应用（18, 19）：请运行 qrcircles migrate up", "no answer", "1小时30分0秒"},
	} {
		a := get(h, "/health", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language", c.lang)
		if a.status != 503 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || a.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: %d %v\n%s", c.lang, a.status, a.header, a.body)
		}
		for _, s := range []string{c.want, `id="check-database"`, `<code>database</code>`, `<code>migrations</code>`, "<code>v1.2.3</code>", c.uptime} {
			if !strings.Contains(a.body, s) {
				t.Errorf("%s: page lacks %q\n%s", c.lang, s, a.body)
			}
		}
		if strings.Contains(a.body, c.notWant) {
			t.Errorf("%s: page shows the other language's %q", c.lang, c.notWant)
		}
	}
	a := get(newHandler(t, true, ok("database", "sqlite")), "/health", "Accept", "text/html")
	if a.status != 200 || !strings.Contains(a.body, "This instance is healthy.") {
		t.Fatalf("healthy page: %d\n%s", a.status, a.body)
	}
}

// A server without pages (or a probe that names no HTML) gets JSON.
func TestHealthJSONWithoutPagesOrHTML(t *testing.T) {
	for _, c := range []struct {
		pages  bool
		accept string
	}{{false, "text/html"}, {true, ""}, {true, "*/*"}, {true, "application/json"}} {
		a := get(newHandler(t, c.pages, ok("database", "sqlite")), "/health", "Accept", c.accept)
		if a.status != 200 || report(t, a).Status != "ok" {
			t.Errorf("pages %v, Accept %q: %d %s", c.pages, c.accept, a.status, a.body)
		}
	}
}

// A check that hangs, ignoring its context, or panics fails on its own; the answer comes.
func TestHealthHangingOrPanickingCheckFails(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hang := health.Check{Name: "hang", Run: func(context.Context) (qrcircles.Words, error) { <-release; return qrcircles.Words{}, nil }}
	boom := health.Check{Name: "boom", Run: func(context.Context) (qrcircles.Words, error) { panic("boom") }}
	a := get(newHandler(t, false, hang, boom, ok("database", "sqlite")), "/health")
	r := report(t, a)
	if a.status != 503 || r.Checks[0].Status != "failing" || r.Checks[1].Status != "failing" || r.Checks[2].Status != "ok" {
		t.Fatalf("%d\n%s", a.status, a.body)
	}
	if !strings.Contains(r.Checks[0].Detail, "no answer within 200ms") {
		t.Errorf("hanging check detail %q", r.Checks[0].Detail)
	}
}
