// Package health serves GET /health: one answer, for an operator's browser or a monitoring
// probe, saying whether this instance is healthy and, when it is not, which check fails and
// why. Checks are plain funcs; the facts (version, role, uptime, live connections, database
// pool) are read when the page is asked for. Nothing on it is secret: a check's error goes to
// the log only, and the page shows the detail the check chose to say.
package health

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"qrcircles"
	"qrcircles/templates"
)

// Check is one thing an instance needs. Run says how it is in detail, in words for people
// (the page shows them in its language, the JSON in English) holding no secret, host name
// or phone number; a non-nil error marks the check failing and is logged, never shown.
type Check struct {
	Name string
	Run  func(ctx context.Context) (detail qrcircles.Words, err error)
}

// Options are what the handler reports on. Nil funcs report zero.
type Options struct {
	Checks  []Check
	Version string
	Role    string
	Started time.Time
	// Live counts the open live-event streams.
	Live func() int
	// Pool reads the database pool's statistics.
	Pool func() sql.DBStats
	// Pages renders the HTML page; nil answers JSON only (a server without pages).
	Pages  *templates.Renderer
	Logger *slog.Logger
	// Timeout bounds each check; a check still running then fails. Default 2 s.
	Timeout time.Duration
	// Now is the clock of the facts; default time.Now.
	Now func() time.Time
}

// Handler serves the health page.
type Handler struct {
	o Options
}

// New returns the handler.
func New(o Options) *Handler {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{o: o}
}

// Statuses of a check and of the whole instance.
const (
	StatusOK      = "ok"
	StatusFailing = "failing"
)

// Report is the JSON answer.
type Report struct {
	Status    string    `json:"status"`
	CheckedAt time.Time `json:"checked_at"`
	Checks    []Result  `json:"checks"`
	Facts     Facts     `json:"facts"`
}

// Result is one check's outcome.
type Result struct {
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	Detail     string  `json:"detail"` // in English

	detail qrcircles.Words // as the check said it, for the page
	took   time.Duration
}

// Facts describe the instance.
type Facts struct {
	Version         string    `json:"version"`
	Role            string    `json:"role"`
	StartedAt       time.Time `json:"started_at"`
	UptimeSeconds   int64     `json:"uptime_seconds"`
	LiveConnections int       `json:"live_connections"`
	DatabasePool    Pool      `json:"database_pool"`
}

// Pool is the database connection pool at the moment of the check.
type Pool struct {
	InUse int `json:"in_use"`
	Idle  int `json:"idle"`
	Open  int `json:"open"`
}

// ServeHTTP runs every check at once and answers 200 when all pass, else 503: HTML to a
// browser, JSON to everyone else or to whoever asks for it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := h.Run(r.Context())
	status := http.StatusOK
	if rep.Status != StatusOK {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept")
	if h.o.Pages != nil && wantsHTML(r) {
		h.page(w, r, status, rep)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
}

// Run runs the checks side by side and reads the facts.
func (h *Handler) Run(ctx context.Context) Report {
	rep := Report{Status: StatusOK, Checks: make([]Result, len(h.o.Checks))}
	var wg sync.WaitGroup
	for i, c := range h.o.Checks {
		wg.Go(func() { rep.Checks[i] = h.check(ctx, c) })
	}
	wg.Wait()
	for _, res := range rep.Checks {
		if res.Status != StatusOK {
			rep.Status = StatusFailing
		}
	}
	now := h.o.Now()
	rep.CheckedAt = now.UTC()
	rep.Facts = h.facts(now)
	return rep
}

// check runs one check within the timeout; a check that ignores its context, or panics,
// fails without holding up the answer.
func (h *Handler) check(ctx context.Context, c Check) Result {
	ctx, cancel := context.WithTimeout(ctx, h.o.Timeout)
	defer cancel()
	type outcome struct {
		detail qrcircles.Words
		err    error
	}
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- outcome{qrcircles.Words{}, fmt.Errorf("panic: %v", v)}
			}
		}()
		d, err := c.Run(ctx)
		done <- outcome{d, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		o = outcome{qrcircles.Words{}, ctx.Err()}
	}
	res := Result{Name: c.Name, Status: StatusOK, detail: o.detail, took: time.Since(start)}
	res.DurationMS = float64(res.took.Microseconds()) / 1000
	if o.err != nil {
		res.Status = StatusFailing
		if ctx.Err() != nil && res.detail.Zero() {
			res.detail = qrcircles.Say("checks.timeout", h.o.Timeout.String())
		}
		h.o.Logger.WarnContext(ctx, "health check failing", "check", c.Name, "error", o.err)
	}
	res.Detail = res.detail.English()
	return res
}

func (h *Handler) facts(now time.Time) Facts {
	f := Facts{Version: h.o.Version, Role: h.o.Role, StartedAt: h.o.Started.UTC(),
		UptimeSeconds: int64(now.Sub(h.o.Started).Seconds())}
	if h.o.Live != nil {
		f.LiveConnections = h.o.Live()
	}
	if h.o.Pool != nil {
		s := h.o.Pool()
		f.DatabasePool = Pool{InUse: s.InUse, Idle: s.Idle, Open: s.OpenConnections}
	}
	return f
}

// wantsHTML: ?format= decides; else a browser (Accept names text/html) gets the page and
// everyone else, probes included, JSON.
func wantsHTML(r *http.Request) bool {
	switch r.URL.Query().Get("format") {
	case "json":
		return false
	case "html":
		return true
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}
