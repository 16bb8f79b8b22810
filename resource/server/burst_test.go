package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

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
