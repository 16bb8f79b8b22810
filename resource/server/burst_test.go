package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// handClock is a clock the test moves: the functions scheduled with after run when it says.
type handClock struct{ due []func() }

func (h *handClock) after(_ time.Duration, f func()) { h.due = append(h.due, f) }

func (h *handClock) pass() {
	due := h.due
	h.due = nil
	for _, f := range due {
		f()
	}
}

func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		out = append(out, m)
	}
	return out
}

func TestBurstLogLogsTheFirstErrorThenACount(t *testing.T) {
	var buf bytes.Buffer
	clock := &handClock{}
	b := NewBurstLogClock(slog.New(slog.NewJSONHandler(&buf, nil)), "outage", 10*time.Second, clock.after)
	ctx := context.Background()

	for i := range 500 {
		b.Error(ctx, fmt.Errorf("connection refused #%d", i))
	}
	lines := logLines(t, &buf)
	if len(lines) != 1 || lines[0]["error"] != "connection refused #0" || lines[0]["level"] != "ERROR" {
		t.Fatalf("during the burst: %v", lines)
	}
	if len(clock.due) != 1 {
		t.Fatalf("%d window ends scheduled, want 1", len(clock.due))
	}

	clock.pass() // the window ends
	lines = logLines(t, &buf)
	if len(lines) != 2 || lines[1]["msg"] != "outage: 499 more in the last 10s" || lines[1]["more"] != float64(499) {
		t.Fatalf("after the window: %v", lines)
	}

	clock.pass() // nothing scheduled: a quiet window says nothing
	b.Error(ctx, errors.New("again"))
	clock.pass() // a burst of one needs no summary
	lines = logLines(t, &buf)
	if len(lines) != 3 || lines[2]["error"] != "again" {
		t.Fatalf("a later burst: %v", lines)
	}
}

// TestOutageProblemIsLoggedOncePerBurst: the engine's problem writer sends each outage
// answer, but logs the cause once for the burst; an internal error is still logged with
// its request.
func TestOutageProblemIsLoggedOncePerBurst(t *testing.T) {
	var logs bytes.Buffer
	e := newEngine(t, fakeDB{}, &logs)
	e.GET("/down", func(c *gin.Context) { Problem(c, fmt.Errorf("loading: %w", testOutage{})) })
	for range 20 {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/down", nil))
		if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("%d %v", rec.Code, rec.Header())
		}
	}
	causes, warned := 0, 0
	for _, l := range logLines(t, &logs) {
		if l["msg"] == "outage: answering 503" {
			causes++
		}
		if l["msg"] == "request" && l["level"] == "WARN" && l["error"] == nil {
			warned++
		}
	}
	if causes != 1 || warned != 20 {
		t.Fatalf("%d cause lines (want 1), %d access lines at WARN without the cause (want 20):\n%s", causes, warned, logs.String())
	}
}

type testOutage struct{}

func (testOutage) Error() string     { return "database unavailable" }
func (testOutage) Unavailable() bool { return true }
