package qrcircles

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
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

func TestLogOutageGoesToTheContextsBurstLog(t *testing.T) {
	var buf bytes.Buffer
	clock := &handClock{}
	b := NewBurstLogClock(slog.New(slog.NewJSONHandler(&buf, nil)), "outage", time.Second, clock.after)
	if LogOutage(context.Background(), errors.New("down")) {
		t.Fatal("a context without a BurstLog took the error")
	}
	ctx := WithBurstLog(context.Background(), b)
	if !LogOutage(ctx, errors.New("down")) || !LogOutage(ctx, errors.New("still down")) {
		t.Fatal("the context's BurstLog did not take the error")
	}
	if lines := logLines(t, &buf); len(lines) != 1 || lines[0]["error"] != "down" {
		t.Fatalf("%v", lines)
	}
}
