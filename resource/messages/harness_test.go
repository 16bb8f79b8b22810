package messages

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/apitest"
	"qrcircles/resource/cardapi"
	"qrcircles/resource/circles"
	"qrcircles/resource/tokens/tokenstest"
	"qrcircles/storage"
)

// recorder is a cardapi.Events that keeps what it is given, and fails when told to.
type recorder struct {
	mu       sync.Mutex
	events   []cardapi.Event
	notified int
	fail     bool
}

func (r *recorder) AppendEvents(_ context.Context, evs ...cardapi.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("event log down")
	}
	r.events = append(r.events, evs...)
	return nil
}

func (r *recorder) Notify() { r.mu.Lock(); r.notified++; r.mu.Unlock() }

func (r *recorder) take() []cardapi.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

type harness struct {
	t      *testing.T
	db     *storage.DB
	engine *gin.Engine
	v      *tokenstest.Verifier
	ev     *recorder
	ctx    context.Context
	now    time.Time
	phones int
}

func newHarness(t *testing.T, db *storage.DB) *harness {
	gin.SetMode(gin.TestMode)
	x := &harness{t: t, db: db, v: &tokenstest.Verifier{}, ev: &recorder{},
		ctx: context.Background(), now: time.Now().UTC().Truncate(time.Second)}
	h := &Handler{Store: db, Verifier: x.v, Events: x.ev, Now: func() time.Time { return x.now }}
	x.engine = gin.New()
	h.Mount(x.engine.Group("/api/v1"))
	return x
}

var allScopes = []string{ScopeRead, ScopeWrite, ScopeAnnounce}

// user makes a person and returns their ID and a token with the given scopes (all if none).
func (x *harness) user(scopes ...string) (int64, string) {
	x.t.Helper()
	x.phones++
	u, _, err := x.db.EnsureUser(x.ctx, fmt.Sprintf("+861391234%04d", x.phones), x.now)
	if err != nil {
		x.t.Fatal(err)
	}
	if len(scopes) == 0 {
		scopes = allScopes
	}
	tok := fmt.Sprintf("tok-%d-%d", u.ID, len(scopes))
	x.v.Set(tok, qrcircles.Principal{Subject: strconv.FormatInt(u.ID, 10), Scopes: scopes})
	return u.ID, tok
}

// token gives an existing user another token, with other scopes.
func (x *harness) token(userID int64, scopes ...string) string {
	tok := fmt.Sprintf("tok-%d-%v", userID, scopes)
	x.v.Set(tok, qrcircles.Principal{Subject: strconv.FormatInt(userID, 10), Scopes: scopes})
	return tok
}

func (x *harness) circle(owner int64, members ...int64) int64 {
	x.t.Helper()
	x.now = x.now.Add(time.Second)
	c := &storage.Circle{Code: fmt.Sprintf("c%d", x.now.UnixNano()), OwnerID: owner, Title: "Expo", TimeZone: "UTC", CreatedAt: x.now, UpdatedAt: x.now}
	if err := x.db.CreateCircle(x.ctx, c, nil); err != nil {
		x.t.Fatal(err)
	}
	for _, m := range members {
		u, err := x.db.User(x.ctx, m)
		if err != nil {
			x.t.Fatal(err)
		}
		if out, err := (&circles.Service{Store: x.db, Now: func() time.Time { return x.now }}).JoinCircle(x.ctx, u, *c, x.now); err != nil || !out.Member {
			x.t.Fatalf("join: %+v %v", out, err)
		}
	}
	return c.ID
}

// do sends a request with a JSON body (none if nil).
func (x *harness) do(token, method, path string, body any) *httptest.ResponseRecorder {
	x.t.Helper()
	return apitest.Do(x.t, x.engine, token, method, path, body)
}

func (x *harness) must(rec *httptest.ResponseRecorder, status int) *httptest.ResponseRecorder {
	x.t.Helper()
	return apitest.Must(x.t, rec, status)
}

// problem checks a problem+json answer and returns it.
func (x *harness) problem(rec *httptest.ResponseRecorder, status int) qrcircles.Problem {
	x.t.Helper()
	return apitest.Problem(x.t, rec, status)
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	return apitest.Decode[T](t, rec)
}

func body(s string) map[string]any { return map[string]any{"body": s} }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
