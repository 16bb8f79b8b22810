package cardapi

import (
	"context"
	"errors"
	"fmt"

	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/apitest"
	"qrcircles/resource/circles"
	"qrcircles/resource/tokens/tokenstest"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// recorder is an Events that keeps what it is given, and fails when told to.
type recorder struct {
	mu       sync.Mutex
	events   []Event
	notified int
	fail     bool
}

func (r *recorder) AppendEvents(_ context.Context, evs ...Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("event log down")
	}
	r.events = append(r.events, evs...)
	return nil
}

func (r *recorder) Notify() { r.mu.Lock(); r.notified++; r.mu.Unlock() }

func (r *recorder) take() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

type harness struct {
	t      *testing.T
	db     *storage.DB
	h      *Handler
	engine *gin.Engine
	v      *tokenstest.Verifier
	ev     *recorder
	ctx    context.Context
	now    time.Time
	phones int
}

func newHarness(t *testing.T) *harness {
	gin.SetMode(gin.TestMode)
	x := &harness{t: t, db: storagetest.Open(t), v: &tokenstest.Verifier{}, ev: &recorder{},
		ctx: context.Background(), now: time.Now().UTC().Truncate(time.Second)}
	x.h = &Handler{Store: x.db, Verifier: x.v, Events: x.ev, NormalizePhone: cnPhones, Now: func() time.Time { return x.now }}
	x.engine = gin.New()
	x.h.Mount(x.engine.Group("/api/v1"))
	return x
}

// user makes a person and returns their ID and a token with both card scopes.
func (x *harness) user(name string) (int64, string) {
	x.t.Helper()
	x.phones++
	u, _, err := x.db.EnsureUser(x.ctx, fmt.Sprintf("+861391234%04d", x.phones), x.now)
	if err != nil {
		x.t.Fatal(err)
	}
	tok := "tok-" + strconv.FormatInt(u.ID, 10)
	x.v.Set(tok, qrcircles.Principal{Subject: strconv.FormatInt(u.ID, 10), Scopes: []string{ScopeRead, ScopeWrite}})
	if name != "" {
		x.must(x.do(tok, "PUT", "/api/v1/me/card", map[string]any{"display_name": name}), 200)
	}
	return u.ID, tok
}

func (x *harness) circle(owner int64, members ...int64) int64 {
	x.t.Helper()
	x.now = x.now.Add(time.Second)
	c := &storage.Circle{Code: fmt.Sprintf("c%d", x.now.UnixNano()), OwnerID: owner, Title: "Expo", TimeZone: "UTC", CreatedAt: x.now, UpdatedAt: x.now}
	if err := x.db.CreateCircle(x.ctx, c, nil); err != nil {
		x.t.Fatal(err)
	}
	for _, m := range members {
		x.join(c.ID, m)
	}
	return c.ID
}

func (x *harness) join(circleID, userID int64) {
	x.t.Helper()
	c, _ := x.db.Circle(x.ctx, circleID)
	u, _ := x.db.User(x.ctx, userID)
	x.now = x.now.Add(time.Second)
	if out, err := (&circles.Service{Store: x.db, Now: func() time.Time { return x.now }}).JoinCircle(x.ctx, u, c, x.now); err != nil || !out.Member {
		x.t.Fatalf("join: %+v %v", out, err)
	}
}

// do sends a request; body is JSON unless it is []byte (sent as is).
func (x *harness) do(token, method, path string, body any) *httptest.ResponseRecorder {
	x.t.Helper()
	return apitest.Do(x.t, x.engine, token, method, path, body)
}

func (x *harness) must(rec *httptest.ResponseRecorder, status int) *httptest.ResponseRecorder {
	x.t.Helper()
	return apitest.Must(x.t, rec, status)
}

// problemField checks a problem+json answer and returns the field it names.
func (x *harness) problemField(rec *httptest.ResponseRecorder, status int) string {
	x.t.Helper()
	return apitest.Problem(x.t, rec, status).Field
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	return apitest.Decode[T](t, rec)
}

func contains(s string, subs ...string) error {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return fmt.Errorf("missing %q in\n%s", sub, s)
		}
	}
	return nil
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
