package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"qrcircles/static"
	"qrcircles/templates"
)

type fakeDB struct{ err error }

func (f fakeDB) Ping(context.Context) error { return f.err }

func newEngine(t *testing.T, db Pinger, logs *bytes.Buffer) *gin.Engine {
	t.Helper()
	assets, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := templates.New(assets.URL)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Deps{Logger: NewLogger(logs, true, slog.LevelInfo), Database: db, Pages: pages, Assets: assets})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestReadyzReflectsTheDatabase(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{{nil, 200}, {errors.New("down"), 503}} {
		var logs bytes.Buffer
		rec := httptest.NewRecorder()
		newEngine(t, fakeDB{tt.err}, &logs).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if rec.Code != tt.want {
			t.Fatalf("db err %v: status %d", tt.err, rec.Code)
		}
	}
}

func TestPanicBecomesProblemAndEveryLogLineHasTheRequestID(t *testing.T) {
	var logs bytes.Buffer
	e := newEngine(t, fakeDB{}, &logs)
	e.GET("/boom", func(c *gin.Context) {
		slog.New(contextHandler{slog.NewJSONHandler(&logs, nil)}).InfoContext(c.Request.Context(), "about to fail")
		panic("kaboom")
	})
	req := httptest.NewRequest("GET", "/boom", nil)
	req.Header.Set("X-Request-ID", "proxy-req-12345")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if strings.Contains(rec.Body.String(), "kaboom") {
		t.Fatal("panic value leaked to the client")
	}
	if rec.Header().Get("X-Request-ID") != "proxy-req-12345" {
		t.Fatalf("request ID not kept: %q", rec.Header().Get("X-Request-ID"))
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) < 3 {
		t.Fatalf("expected app, panic and access log lines, got:\n%s", logs.String())
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		if m["request_id"] != "proxy-req-12345" {
			t.Fatalf("line without the request ID: %s", l)
		}
	}
}

func TestRequestIDIsMadeWhenMissingOrMalformed(t *testing.T) {
	for _, in := range []string{"", "bad id with spaces", strings.Repeat("x", 200)} {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header.Set("X-Request-ID", in)
		rec := httptest.NewRecorder()
		newEngine(t, fakeDB{}, &bytes.Buffer{}).ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-ID")
		if got == "" || got == in || len(got) != 24 {
			t.Fatalf("in %q: request ID %q", in, got)
		}
	}
}

func TestClientIPIgnoresForwardedForFromUntrustedPeers(t *testing.T) {
	var seen string
	e := newEngine(t, fakeDB{}, &bytes.Buffer{})
	e.GET("/ip", func(c *gin.Context) { seen = c.ClientIP() })
	req := httptest.NewRequest("GET", "/ip", nil)
	req.RemoteAddr = "203.0.113.9:4000"
	req.Header.Set("X-Forwarded-For", "198.51.100.1")
	e.ServeHTTP(httptest.NewRecorder(), req)
	if seen != "203.0.113.9" {
		t.Fatalf("client IP %q: a forged X-Forwarded-For was believed", seen)
	}
}
