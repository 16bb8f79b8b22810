package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qrcircles/config"
	"qrcircles/resource/health"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// healthAnswer is one answer of /health.
type healthAnswer struct {
	status int
	header http.Header
	body   string
	report health.Report
}

func fetchHealth(t *testing.T, h http.Handler, url, accept string) healthAnswer {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	req.Header.Set("Accept", accept)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	a := healthAnswer{status: w.Code, header: w.Header(), body: w.Body.String()}
	if strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal([]byte(a.body), &a.report); err != nil {
			t.Fatalf("%s: %v\n%s", url, err, a.body)
		}
	}
	return a
}

// healthyWithin asks /health until it answers 200: the push hub starts a moment after the
// server does.
func healthyWithin(t *testing.T, h http.Handler) healthAnswer {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		a := fetchHealth(t, h, "/health", "application/json")
		if a.status == http.StatusOK || time.Now().After(deadline) {
			return a
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func checkStatuses(t *testing.T, r health.Report, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, c := range r.Checks {
		got[c.Name] = c.Status
	}
	for name, status := range want {
		if got[name] != status {
			t.Errorf("check %s: %q, want %q (report %+v)", name, got[name], status, r)
		}
	}
}

// httpHandler sends the requests to a running server, over HTTP.
type httpHandler string

func (base httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest(r.Method, string(base)+r.URL.RequestURI(), nil)
	req.Header = r.Header
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), 599)
		return
	}
	defer res.Body.Close()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}

func TestHealthOfTheWholeServer(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		_, base := serveApp(t, db, slog.New(slog.DiscardHandler))
		srv := httpHandler(base)
		a := healthyWithin(t, srv)
		if a.status != http.StatusOK || a.report.Status != health.StatusOK || a.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("fresh server: %d %v\n%s", a.status, a.header, a.body)
		}
		checkStatuses(t, a.report, map[string]string{"database": "ok", "migrations": "ok", "live_events": "ok", "sms": "ok"})
		if f := a.report.Facts; f.Role != config.RoleAll || f.Version == "" || f.StartedAt.IsZero() || f.DatabasePool.Open < 1 {
			t.Errorf("facts: %+v", f)
		}
		if d := a.report.Checks[0].Detail; d != db.Dialect() {
			t.Errorf("database detail %q, want %q", d, db.Dialect())
		}

		page := fetchHealth(t, srv, "/health", "text/html,application/xhtml+xml")
		if page.status != http.StatusOK || !strings.Contains(page.body, "This instance is healthy.") || !strings.Contains(page.body, "<code>migrations</code>") {
			t.Fatalf("page: %d\n%s", page.status, page.body)
		}

		// The database goes away under the running server.
		sqlDB, err := db.Gorm().DB()
		if err != nil {
			t.Fatal(err)
		}
		if err := sqlDB.Close(); err != nil {
			t.Fatal(err)
		}
		a = fetchHealth(t, srv, "/health?format=json", "text/html")
		if a.status != http.StatusServiceUnavailable || a.report.Status != health.StatusFailing {
			t.Fatalf("closed database: %d\n%s", a.status, a.body)
		}
		checkStatuses(t, a.report, map[string]string{"database": "failing", "migrations": "failing", "sms": "ok"})
		if strings.Contains(a.body, "closed") {
			t.Errorf("the driver's error reached the page:\n%s", a.body)
		}
		page = fetchHealth(t, srv, "/health", "text/html")
		if page.status != http.StatusServiceUnavailable || !strings.Contains(page.body, "Failing: database, migrations") {
			t.Fatalf("page after close: %d\n%s", page.status, page.body)
		}
	})
}

// Every role serves /health, and a server of the API alone sends no SMS.
func TestHealthInEveryRole(t *testing.T) {
	for _, role := range []string{config.RoleAuthz, config.RoleResource} {
		t.Run(role, func(t *testing.T) {
			env := map[string]string{"QRC_ROLE": role, "QRC_PUBLIC_URL": "http://127.0.0.1:1", "QRC_SECRET": strings.Repeat("h", 32),
				"QRC_DATA_DIR": t.TempDir(), "QRC_AUTHZ_URL": "http://127.0.0.1:1",
				"QRC_INTROSPECTION_CLIENT_ID": "rs", "QRC_INTROSPECTION_CLIENT_SECRET": "rs-secret"}
			cfg, _, err := config.Load(newFlagSet(), nil, func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			a, err := buildApp(ctx, cfg, slog.New(slog.DiscardHandler), storagetest.Open(t))
			if err != nil {
				cancel()
				t.Fatal(err)
			}
			t.Cleanup(func() { a.push.Close(); cancel() })
			ans := healthyWithin(t, a.engine)
			if ans.status != http.StatusOK || ans.report.Facts.Role != role {
				t.Fatalf("%d\n%s", ans.status, ans.body)
			}
			sms := ans.report.Checks[len(ans.report.Checks)-1]
			if used := sms.Detail != "not used by this role"; sms.Name != "sms" || used != (role != config.RoleResource) {
				t.Errorf("sms check in role %s: %+v", role, sms)
			}
			if page := fetchHealth(t, a.engine, "/health", "text/html"); page.status != http.StatusOK || !strings.Contains(page.body, "<code>"+role+"</code>") {
				t.Errorf("page in role %s: %d\n%s", role, page.status, page.body)
			}
		})
	}
}
