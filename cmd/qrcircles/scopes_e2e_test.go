package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// These tests hold every /api/v1 route to what the OpenAPI document says it takes, through
// real HTTP against the whole server: which scopes an ordinary user token needs (one of the
// operation's security requirements), and whether a scan session for the circle in the
// path may call it (x-scan-session). TestOpenAPIScopesAreTheEnforcedOnes derives from the
// router what it really enforces and compares; the negative suite then tries the kinds of
// token that must be refused on every route.

// apiScopes are the scopes of the API: authz.Scopes without the OpenID Connect ones.
func apiScopes() []string {
	var out []string
	for _, s := range authz.Scopes {
		if strings.Contains(s, ":") {
			out = append(out, s)
		}
	}
	return out
}

// scopeWorld is the whole server with two circles of one organizer and a user who holds
// tokens of every kind.
type scopeWorld struct {
	*world
	org, user     *person
	circle, other circleResp
}

func newScopeWorld(t *testing.T, db *storage.DB) *scopeWorld {
	t.Helper()
	w := &scopeWorld{world: newWorld(t, db)}
	w.org = w.person("+8613700000001", "Organizer")
	w.user = w.person("+8613700000002", "User")
	w.must(201, w.org.token, "POST", "/api/v1/circles", map[string]any{"title": "Scoped"}, &w.circle)
	w.must(201, w.org.token, "POST", "/api/v1/circles", map[string]any{"title": "Other"}, &w.other)
	return w
}

// tokenFor issues a token of the partner app for the person with exactly these scopes.
func (w *world) tokenFor(u storage.User, scopes ...string) string {
	w.t.Helper()
	tok, err := w.app.authz.IssueAccessToken(context.Background(), authz.TokenSpec{ClientID: w.partner, UserID: u.ID,
		Phone: u.Phone, Scopes: scopes, Lifespan: time.Hour})
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

// scanToken is a scan session of the user for the circle, by token exchange as an app gets one.
func (w *scopeWorld) scanToken(c circleResp) string {
	w.t.Helper()
	tok, status, out := w.user.scan(c.URL)
	if status != 200 {
		w.t.Fatalf("token exchange for %s: %d %v", c.URL, status, out)
	}
	return tok
}

// expiredScanToken is a scan session of the user for the circle that has run out.
func (w *scopeWorld) expiredScanToken(c circleResp) string {
	w.t.Helper()
	tok, err := w.app.authz.IssueAccessToken(context.Background(), authz.TokenSpec{ClientID: w.partner, UserID: w.user.user.ID,
		Phone: w.user.user.Phone, Scopes: []string{authz.ScanScope}, Audience: []string{c.URL},
		ScanTime: time.Now().Add(-20 * time.Minute), Lifespan: -10 * time.Minute})
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

// clientToken is a partner back end's own token (client credentials) with every API scope.
func (w *scopeWorld) clientToken() string {
	w.t.Helper()
	c, secret, err := w.app.authz.Clients().Create(context.Background(), authz.ClientSpec{Name: "Back end",
		Scopes: apiScopes(), Grants: []string{authz.GrantClientCredentials}}, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", w.base+"/oauth2/token", strings.NewReader(url.Values{
		"grant_type": {"client_credentials"}, "scope": {strings.Join(apiScopes(), " ")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ID, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || out.AccessToken == "" {
		w.t.Fatalf("client credentials: %d %v", res.StatusCode, err)
	}
	return out.AccessToken
}

// document is the OpenAPI document the server serves.
func (w *world) document() map[string]any {
	w.t.Helper()
	res, err := http.Get(w.base + openAPIPath)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != 200 {
		w.t.Fatalf("%s: %d %v", openAPIPath, res.StatusCode, err)
	}
	return doc
}

// route is one operation of the document, with its path filled in for the scope world.
type route struct {
	method, path string // the path with the world's circle and IDs in it
	name         string // "GET /api/v1/circles/{id}"
	scopes       []string
	scan         bool // x-scan-session
	public       bool // no security at all
}

// documentedRoutes reads every operation of the served document.
func (w *scopeWorld) documentedRoutes(doc map[string]any) []route {
	w.t.Helper()
	fill := strings.NewReplacer("{id}", fmt.Sprint(w.circle.ID), "{uid}", fmt.Sprint(w.org.user.ID), "{rid}", "1", "{xid}", "1")
	var out []route
	forEachOperation(w.t, doc, func(at, path string, op map[string]any) {
		r := route{method: strings.Fields(at)[0], path: fill.Replace(path), name: at, scan: op["x-scan-session"] == true}
		sec, _ := op["security"].([]any)
		r.public = len(sec) == 0
		for _, req := range sec {
			for scheme, v := range req.(map[string]any) {
				if scheme == "oauth2" {
					for _, s := range v.([]any) {
						r.scopes = append(r.scopes, s.(string))
					}
				}
			}
		}
		slices.Sort(r.scopes)
		out = append(out, r)
	})
	return out
}

// answer is what a probe got: the status, the problem type (its code) and the challenge.
type answer struct {
	status    int
	problem   string
	challenge string
}

// probe calls the route with the token ("" for none) and no body. An event stream is not
// read: its status says enough.
func (w *world) probe(token string, r route) answer {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, r.method, w.base+r.path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatalf("%s: %v", r.name, err)
	}
	defer res.Body.Close()
	a := answer{status: res.StatusCode, challenge: res.Header.Get("WWW-Authenticate")}
	switch res.Header.Get("Content-Type") {
	case "application/problem+json":
		var b qrcircles.Problem
		_ = json.NewDecoder(io.LimitReader(res.Body, 1<<16)).Decode(&b)
		a.problem = strings.TrimPrefix(b.Type, qrcircles.ProblemTypeBase)
	case "text/event-stream":
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	}
	return a
}

// passed says the token got past the gate: what follows is the route's own business (a 404,
// or a 403 of type forbidden when the person may not do it).
func (a answer) passed() bool { return a.status != 401 && a.problem != qrcircles.EInsufficientScope }

// refusedForScope is the gate's 403 insufficient_scope (RFC 6750 §3.1).
func (a answer) refusedForScope() bool {
	return a.status == 403 && a.problem == qrcircles.EInsufficientScope && strings.Contains(a.challenge, `error="insufficient_scope"`)
}

// TestOpenAPIScopesAreTheEnforcedOnes: for every operation, the scopes the document states
// are the ones the router enforces, found by calling the route with a token of each single
// scope, with a scan session for the circle, and with no token.
func TestOpenAPIScopesAreTheEnforcedOnes(t *testing.T) {
	w := newScopeWorld(t, storagetest.Open(t))
	doc := w.document()
	tokens := map[string]string{}
	for _, s := range authz.Scopes {
		tokens[s] = w.tokenFor(w.user.user, s)
	}
	scan := w.scanToken(w.circle)
	declared := map[string]bool{}
	oauth2 := mapOf(mapOf(mapOf(doc["components"])["securitySchemes"])["oauth2"])
	for s := range mapOf(mapOf(mapOf(oauth2["flows"])["authorizationCode"])["scopes"]) {
		declared[s] = true
	}
	used := map[string]bool{}
	routes := w.documentedRoutes(doc)
	for _, r := range routes {
		var enforced []string
		for _, s := range authz.Scopes {
			if w.probe(tokens[s], r).passed() {
				enforced = append(enforced, s)
			}
		}
		scanPasses := w.probe(scan, r).passed()
		public := w.probe("", r).passed()
		if public != r.public {
			t.Errorf("%s: served without a token: %v; documented without security: %v", r.name, public, r.public)
		}
		if public {
			continue
		}
		if scanPasses != r.scan {
			t.Errorf("%s: a scan session for the circle passes: %v; x-scan-session: %v", r.name, scanPasses, r.scan)
		}
		if r.scan && slices.Contains(enforced, authz.ScanScope) {
			t.Errorf("%s: takes an ordinary token with %s, where the document means a scan session by it", r.name, authz.ScanScope)
		}
		if scanPasses {
			enforced = append(enforced, authz.ScanScope)
		}
		slices.Sort(enforced)
		if !slices.Equal(enforced, r.scopes) {
			t.Errorf("%s: enforces %v, documents %v", r.name, enforced, r.scopes)
		}
		for _, s := range r.scopes {
			used[s] = true
			if !declared[s] {
				t.Errorf("%s: scope %s is not declared in the oauth2 scheme", r.name, s)
			}
		}
	}
	for _, s := range apiScopes() {
		if !declared[s] || !used[s] {
			t.Errorf("scope %s: declared %v, used by a route %v", s, declared[s], used[s])
		}
	}
	if len(routes) < 50 {
		t.Fatalf("only %d operations read from the document", len(routes))
	}
}

// TestScopesAndScanSessionsOnEveryRoute is the negative suite: on every route, each kind of
// token that must not pass is refused, in the way it must be.
func TestScopesAndScanSessionsOnEveryRoute(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newScopeWorld(t, db)
		doc := w.document()
		u := w.user.user
		noScope := w.tokenFor(u, "openid", "profile", "phone", "offline_access")
		scanHere, scanOther := w.scanToken(w.circle), w.scanToken(w.other)
		expired, client := w.expiredScanToken(w.circle), w.clientToken()
		wrongScope := func(r route) string { // every API scope but those that pass the route
			var s []string
			for _, x := range apiScopes() {
				if !slices.Contains(r.scopes, x) || (r.scan && x == authz.ScanScope) {
					s = append(s, x)
				}
			}
			return w.tokenFor(u, append(s, "openid")...)
		}
		const (
			mustPass = iota
			forScope // 403 insufficient_scope
			forUser  // 403: a client's token acts for no person
			inactive // 401
		)
		kinds := []struct {
			name  string
			token func(route) string
			want  func(route) int
		}{
			{"no API scope", func(route) string { return noScope }, func(route) int { return forScope }},
			{"wrong scope", wrongScope, func(route) int { return forScope }},
			{"scan session of this circle", func(route) string { return scanHere }, func(r route) int {
				if r.scan {
					return mustPass
				}
				return forScope
			}},
			{"scan session of another circle", func(route) string { return scanOther }, func(route) int { return forScope }},
			{"client credentials", func(route) string { return client }, func(route) int { return forUser }},
			{"expired scan session", func(route) string { return expired }, func(route) int { return inactive }},
		}
		routes := w.documentedRoutes(doc)
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				for _, r := range routes {
					if r.public {
						continue
					}
					a := w.probe(k.token(r), r)
					ok := false
					switch k.want(r) {
					case mustPass:
						ok = a.passed()
					case forScope:
						ok = a.refusedForScope()
					case forUser:
						ok = a.status == 403 && a.problem == qrcircles.EForbidden
					case inactive:
						ok = a.status == 401 && a.problem == qrcircles.EUnauthorized
					}
					if !ok {
						t.Errorf("%s: %d %s %q", r.name, a.status, a.problem, a.challenge)
					}
				}
			})
		}
	})
}

// A scan session is a token for one act: it joins its circle, reads the circle and its own
// request, and nothing else — it cannot even leave the circle it joined.
func TestScanSessionJoinsAndFollowsItsRequestOnly(t *testing.T) {
	w := newScopeWorld(t, storagetest.Open(t))
	var review circleResp
	w.must(201, w.org.token, "POST", "/api/v1/circles", map[string]any{"title": "Reviewed", "mode": "review"}, &review)
	scan := w.scanToken(review)
	mine := path("/api/v1/circles/%d/requests/me", review.ID)
	if s, body := w.get(scan, mine); s != 404 {
		t.Fatalf("own request before joining: %d %s", s, body)
	}
	if s, r := w.user.joinWith(scan, review); s != 202 || r.Status != "waiting" {
		t.Fatalf("join: %d %+v", s, r)
	}
	var got struct {
		Request struct {
			ID       int64  `json:"id"`
			CircleID int64  `json:"circle_id"`
			UserID   int64  `json:"user_id"`
			Status   string `json:"status"`
		} `json:"request"`
	}
	for _, tok := range []string{scan, w.tokenFor(w.user.user, "circles:read")} {
		got.Request.Status = ""
		if s := w.call(tok, "GET", mine, nil, &got); s != 200 || got.Request.Status != "waiting" ||
			got.Request.CircleID != review.ID || got.Request.UserID != w.user.user.ID {
			t.Fatalf("own request: %d %+v", s, got)
		}
	}
	// The organizer's view of the same request is theirs alone.
	if s := w.call(scan, "GET", path("/api/v1/circles/%d/requests", review.ID), nil, nil); s != 403 {
		t.Fatalf("the review queue with a scan session: %d", s)
	}
	// Joined or not, the scan session cannot leave, nor touch another circle.
	if s, r := w.user.joinWith(w.scanToken(w.circle), w.circle); s != 200 || r.Status != "joined" {
		t.Fatalf("join: %d %+v", s, r)
	}
	if s := w.call(w.scanToken(w.circle), "DELETE", path("/api/v1/circles/%d/members/me", w.circle.ID), nil, nil); s != 403 {
		t.Fatalf("leaving with a scan session: %d", s)
	}
	if s := w.call(scan, "GET", path("/api/v1/circles/%d/requests/me", w.circle.ID), nil, nil); s != 403 {
		t.Fatalf("another circle's request with this scan session: %d", s)
	}
	if names := w.members(w.org.token, w.circle.ID); !slices.Contains(names, "User") {
		t.Fatalf("members after the refused leave: %v", names)
	}
	// An ordinary token with circles:join leaves, as before.
	if s := w.call(w.tokenFor(w.user.user, "circles:join"), "DELETE", path("/api/v1/circles/%d/members/me", w.circle.ID), nil, nil); s != 204 {
		t.Fatalf("leaving with a user token: %d", s)
	}
}

// eventTypesOf is what each scope lets a token receive on the event stream.
var eventTypesOf = map[string][]string{
	"circles:read": {qrcircles.EventMemberJoined, qrcircles.EventMemberLeft, qrcircles.EventRequestCreated,
		qrcircles.EventRequestDecided, qrcircles.EventCircleUpdated, qrcircles.EventCircleCreated},
	"cards:read": {qrcircles.EventCardUpdated, qrcircles.EventCardDelivered, qrcircles.EventCardRequested,
		qrcircles.EventCardRequestDecided},
	"messages:read": {qrcircles.EventMessageCreated, qrcircles.EventAnnouncementCreated},
}

// newestEvent is the ID of the last event written.
func newestEvent(t *testing.T, db *storage.DB) int64 {
	t.Helper()
	b, err := db.EventBounds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b.Newest
}

// TestEventStreamGivesEachTokenItsScopes: a token receives exactly the event types its scopes
// cover — live, and again when it resumes with Last-Event-ID — however many other events
// happen to the same person. Each scope's last event ("fence") is where a stream has
// received everything meant for it, since events come in ID order.
func TestEventStreamGivesEachTokenItsScopes(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		org := w.person("+8613700000300", "Organizer")
		ann, bob := w.person("+8613800000301", "Ann"), w.person("+8613800000302", "Bob")
		x := w.liveCircle(org, "Scoped events", ann, bob)
		kinds := []struct {
			name   string
			scopes []string
		}{
			{"cards", []string{"cards:read"}},
			{"circles", []string{"circles:read"}},
			{"messages", []string{"messages:read"}},
			{"cards and messages", []string{"cards:read", "messages:read"}},
			{"all three and more", []string{"circles:read", "cards:read", "messages:read", "cards:write", "openid"}},
		}
		tokens := make([]string, len(kinds))
		live := make([]*liveStream, len(kinds))
		for i, k := range kinds {
			tokens[i] = w.tokenFor(bob.user, k.scopes...)
			live[i] = liveConnect(t, w.base, tokens[i], 0)
		}
		from := newestEvent(t, db)

		// Something of every scope happens to Bob…
		ann.putCard("first")
		w.must(201, org.token, "POST", path("/api/v1/circles/%d/announcements", x.ID), map[string]any{"body": "Welcome"}, nil)
		w.must(201, ann.token, "POST", path("/api/v1/users/%d/messages", bob.user.ID), map[string]any{"body": "Hi Bob"}, nil)
		if s, r := w.person("+8613800000303", "Cat").join(x); s != 200 {
			t.Fatalf("Cat joining: %d %+v", s, r)
		}
		w.must(202, ann.token, "POST", path("/api/v1/users/%d/card/request", bob.user.ID), nil, nil)
		w.must(200, org.token, "PATCH", path("/api/v1/circles/%d", x.ID), map[string]any{"title": "Renamed"}, nil)
		happened := map[string][]string{
			"cards:read":    {qrcircles.EventCardUpdated, qrcircles.EventCardRequested},
			"circles:read":  {qrcircles.EventMemberJoined, qrcircles.EventCircleUpdated},
			"messages:read": {qrcircles.EventMessageCreated, qrcircles.EventAnnouncementCreated},
		}
		// …then each scope's fence.
		fence := map[string]int64{}
		w.must(201, ann.token, "POST", path("/api/v1/users/%d/messages", bob.user.ID), map[string]any{"body": "Last"}, nil)
		fence["messages:read"] = newestEvent(t, db)
		ann.putCard("last")
		fence["cards:read"] = newestEvent(t, db)
		w.must(200, org.token, "PATCH", path("/api/v1/circles/%d", x.ID), map[string]any{"title": "Last"}, nil)
		fence["circles:read"] = newestEvent(t, db)

		for i, k := range kinds {
			allowed, want := map[string]bool{}, map[string]bool{}
			last := int64(0)
			for _, s := range k.scopes {
				for _, typ := range eventTypesOf[s] {
					allowed[typ] = true
				}
				for _, typ := range happened[s] {
					want[typ] = true
				}
				last = max(last, fence[s])
			}
			for _, resumed := range []bool{false, true} {
				s := live[i]
				if resumed {
					s = liveConnect(t, w.base, tokens[i], from)
				}
				got := map[string]bool{}
				for e := s.next(); ; e = s.next() {
					if !allowed[e.Type] {
						t.Errorf("%s (resumed %v): got %s %d: %s", k.name, resumed, e.Type, e.ID, e.Data)
					}
					if e.ID > last {
						t.Fatalf("%s (resumed %v): event %d after the last fence %d", k.name, resumed, e.ID, last)
					}
					got[e.Type] = true
					if e.ID == last {
						break
					}
				}
				for typ := range want {
					if !got[typ] {
						t.Errorf("%s (resumed %v): no %s", k.name, resumed, typ)
					}
				}
			}
		}
	})
}
