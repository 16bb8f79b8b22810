package push_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/push/pushtest"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/push"
	"qrcircles/storage"
)

// wait is how long a test waits for something that should happen at once; it only bounds
// a failing test.
const wait = 10 * time.Second

// world is an organizer, members and an outsider, and one circle.
type world struct {
	org      int64
	members  []int64
	outsider int64
	circle   int64
}

func newWorld(t *testing.T, db *storage.DB, members int) world {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	user := func(i int) int64 {
		u, _, err := db.EnsureUser(ctx, fmt.Sprintf("+8613700%06d", i), now)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	w := world{org: user(0), outsider: user(1)}
	c := storage.Circle{Code: "pushtest", OwnerID: w.org, Title: "push", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateCircle(ctx, &c, nil); err != nil {
		t.Fatal(err)
	}
	// Each test writes the events it counts; the circle.created of the setup is not one, and
	// its ID must not stay behind as a gap the hub would wait out.
	reset := "DELETE FROM sqlite_sequence WHERE name = 'events'"
	if db.Dialect() == storage.Postgres {
		reset = "ALTER SEQUENCE events_id_seq RESTART WITH 1"
	}
	for _, q := range []string{"DELETE FROM events", reset} {
		if err := db.Gorm().Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	w.circle = c.ID
	for i := range members {
		id := user(2 + i)
		addMember(t, db, w.circle, id)
		w.members = append(w.members, id)
	}
	return w
}

func addMember(t *testing.T, db *storage.DB, circle, user int64) {
	t.Helper()
	err := db.Gorm().Exec(`INSERT INTO memberships (circle_id, user_id, joined_at) VALUES (?, ?, ?)`, circle, user, time.Now().UTC()).Error
	if err != nil {
		t.Fatal(err)
	}
}

// instance is one server: a hub and its stream on an HTTP port.
type instance struct {
	hub *push.Hub
	db  *storage.DB
	url string
}

func startInstance(t *testing.T, db *storage.DB, o push.Options) *instance {
	t.Helper()
	o.Log = db
	if o.Poll == 0 {
		o.Poll = time.Hour // a test sees what the wake-ups do, not the safety net
	}
	hub := push.New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	gin.SetMode(gin.TestMode)
	e := gin.New()
	e.GET("/api/v1/events", hub.Handler(testAuth, db.EventCircles))
	srv := httptest.NewServer(e)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("hub: %v", err)
		}
		srv.Close()
	})
	return &instance{hub: hub, db: db, url: srv.URL + "/api/v1/events"}
}

// testAuth trusts X-Test-User: the stream's authentication is the caller's business. With
// X-Test-Types (event types, space-separated) the stream gets only those, as a token's.
func testAuth(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.GetHeader("X-Test-User"), 10, 64)
	if types, ok := c.Request.Header["X-Test-Types"]; ok {
		only := strings.Fields(strings.Join(types, " "))
		push.Only(c, func(typ string) bool { return slices.Contains(only, typ) })
	}
	return id, err == nil && id > 0
}

// appendEvents writes events in one transaction and tells the instance, as a writer does.
func (in *instance) appendEvents(t *testing.T, evs ...storage.Event) []storage.Event {
	t.Helper()
	ctx := context.Background()
	if err := in.db.InTx(ctx, func(ctx context.Context) error { return in.db.AppendEvents(ctx, evs...) }); err != nil {
		t.Fatal(err)
	}
	in.hub.Notify()
	return evs
}

func cardUpdated(t *testing.T, circle, subject int64, name string) storage.Event {
	t.Helper()
	e, err := qrcircles.ToCircle(circle, subject, qrcircles.EventCardUpdated, map[string]string{"name": name})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// sse is a message of the stream: an event, or a comment when Comment is set.
type sse = pushtest.Message

// client is one SSE connection.
type client struct {
	resp   *http.Response
	cancel context.CancelFunc
	msgs   chan sse
	opened sse // the stream's first block: the retry field, and an id on a first connection
}

func connect(t *testing.T, url string, user int64, lastID string, only ...string) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("X-Test-User", strconv.FormatInt(user, 10))
	if only != nil {
		req.Header.Set("X-Test-Types", strings.Join(only, " "))
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		cancel()
		resp.Body.Close()
		t.Fatalf("GET events: %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", resp.Header)
	}
	c := &client{resp: resp, cancel: cancel, msgs: make(chan sse, 1000)}
	go c.read()
	t.Cleanup(c.close)
	if c.opened = c.next(t); c.opened.Comment != "retry: 2000" {
		t.Fatalf("stream does not start with retry: %+v", c.opened)
	}
	return c
}

func (c *client) close() {
	c.cancel()
	c.resp.Body.Close()
}

// read parses the stream; a "retry:" field is passed on as a comment.
func (c *client) read() {
	pushtest.Read(c.resp.Body, c.msgs)
}

// next returns the next message, failing the test when none comes or the stream ends.
func (c *client) next(t *testing.T) sse {
	t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			t.Fatal("the stream ended")
		}
		return m
	case <-time.After(wait):
		t.Fatal("no message")
	}
	return sse{}
}

// events returns the next n events, skipping heartbeats.
func (c *client) events(t *testing.T, n int) []sse {
	t.Helper()
	var out []sse
	for len(out) < n {
		if m := c.next(t); m.Comment == "" {
			out = append(out, m)
		}
	}
	return out
}

// quiet fails when an event arrives within d: for what must not be delivered.
func (c *client) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				t.Fatal("the stream ended")
			}
			if m.Comment == "" {
				t.Fatalf("unexpected event %+v", m)
			}
		case <-deadline:
			return
		}
	}
}

func ids(ms []sse) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func eventIDs(evs []storage.Event) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func newRequest(url, user, last string) (*http.Request, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	return req, nil
}

func httpDo(req *http.Request) (*http.Response, error) { return http.DefaultClient.Do(req) }
