package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"qrcircles/resource/push/pushtest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/config"
	"qrcircles/resource/cards"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// The live tests drive the whole server (real HTTP, real tokens, PostgreSQL) and read the
// Server-Sent Events stream as an app does. They never wait for something not to happen: a
// person who must not receive an event creates a circle of their own afterwards, and the
// circle.created event it brings is the "mark" up to which their stream is read. Events are
// delivered in ID order, so everything meant for them before the mark has arrived by then.

// liveWait bounds how long a test waits for a message that should come at once; it only
// bounds a failing test.
const liveWait = 10 * time.Second

// liveEvent is one message of the stream; Comment is set for comments and the retry line.
type liveEvent pushtest.Message

// cardPush is the payload of a card.updated event.
type cardPush struct {
	CircleID int64      `json:"circle_id"`
	Fields   []string   `json:"fields"`
	Card     cards.View `json:"card"`
}

func (e liveEvent) card(t *testing.T) cardPush {
	t.Helper()
	var p cardPush
	if err := json.Unmarshal([]byte(e.Data), &p); err != nil {
		t.Fatalf("card.updated %d payload %q: %v", e.ID, e.Data, err)
	}
	return p
}

// circleID reads the circle_id of any event's payload (0 when it has none).
func (e liveEvent) circleID() int64 {
	var p struct {
		CircleID int64 `json:"circle_id"`
	}
	_ = json.Unmarshal([]byte(e.Data), &p)
	return p.CircleID
}

// liveStream is one SSE connection to /api/v1/events.
type liveStream struct {
	t      *testing.T
	resp   *http.Response
	cancel context.CancelFunc
	msgs   chan liveEvent
}

// liveConnect opens the event stream of base with a bearer token, from lastID when it is
// not 0, and returns once the server has subscribed it (its first line is written after).
func liveConnect(t *testing.T, base, token string, lastID int64) *liveStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(lastID, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("GET %s/api/v1/events: %s %v %s", base, resp.Status, resp.Header, raw)
	}
	s := &liveStream{t: t, resp: resp, cancel: cancel, msgs: make(chan liveEvent, 4096)}
	go s.read()
	t.Cleanup(s.close)
	select {
	case m, ok := <-s.msgs:
		if !ok || m.Comment != "retry: 2000" {
			t.Fatalf("the stream does not start with its retry line: %+v", m)
		}
	case <-time.After(liveWait):
		t.Fatal("the stream sent nothing")
	}
	return s
}

func (s *liveStream) close() {
	s.cancel()
	s.resp.Body.Close()
}

func (s *liveStream) read() {
	defer close(s.msgs)
	ms := make(chan pushtest.Message)
	go pushtest.Read(s.resp.Body, ms)
	for m := range ms {
		s.msgs <- liveEvent(m)
	}
}

// next is the next event, heartbeats skipped; the test fails when none comes.
func (s *liveStream) next() liveEvent {
	s.t.Helper()
	deadline := time.After(liveWait)
	for {
		select {
		case m, ok := <-s.msgs:
			if !ok {
				s.t.Fatal("the event stream ended")
			}
			if m.Comment == "" {
				return m
			}
		case <-deadline:
			s.t.Fatalf("no event within %v", liveWait)
		}
	}
}

// upTo returns the events before the circle.created of circle mark, checking that IDs
// strictly increase.
func (s *liveStream) upTo(mark int64) []liveEvent {
	s.t.Helper()
	var out []liveEvent
	last := int64(0)
	for {
		e := s.next()
		if e.ID <= last {
			s.t.Fatalf("event IDs do not increase: %d after %d", e.ID, last)
		}
		last = e.ID
		if e.Type == qrcircles.EventCircleCreated && e.circleID() == mark {
			return out
		}
		out = append(out, e)
	}
}

// mark creates a circle of the person's own: its circle.created event comes after every
// event committed before, on the person's stream.
func (p *person) mark() int64 {
	p.w.t.Helper()
	var c circleResp
	if s := p.w.call(p.token, "POST", "/api/v1/circles", map[string]any{"title": "mark"}, &c); s != 201 {
		p.w.t.Fatalf("creating a mark circle: %d", s)
	}
	return c.ID
}

// stream connects the person to the world's event stream and reads it up to a mark, so that
// what happened before is not taken for what comes next.
func (p *person) stream() *liveStream {
	p.w.t.Helper()
	s := liveConnect(p.w.t, p.w.base, p.token, 0)
	s.upTo(p.mark())
	return s
}

// get sends a GET with the token and returns the status and body as text.
func (w *world) get(token, path string) (int, string) {
	w.t.Helper()
	req, _ := http.NewRequest("GET", w.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return res.StatusCode, string(raw)
}

// must fails unless the call answered want.
func (w *world) must(want int, token, method, path string, body, out any) {
	w.t.Helper()
	if s := w.call(token, method, path, body, out); s != want {
		w.t.Fatalf("%s %s: %d, want %d", method, path, s, want)
	}
}

// liveCircle is a circle the organizer creates (open to anyone) with the people joined.
func (w *world) liveCircle(org *person, title string, members ...*person) circleResp {
	w.t.Helper()
	var c circleResp
	w.must(201, org.token, "POST", "/api/v1/circles", map[string]any{"title": title}, &c)
	for _, m := range members {
		if s, r := m.join(c); s != 200 || r.Status != "joined" {
			w.t.Fatalf("%s joining %s: %d %+v", m.user.DisplayName, title, s, r)
		}
	}
	return c
}

// putCard writes a card with the given title; the other fields are fixed per person.
func (p *person) putCard(title string) {
	p.w.t.Helper()
	p.w.must(200, p.token, "PUT", "/api/v1/me/card", p.card(title), nil)
}

func (p *person) card(title string) map[string]any {
	n := p.user.DisplayName
	return map[string]any{"display_name": n, "title": title, "company": n + " Corp",
		"emails": []string{strings.ToLower(n) + "@secret.example"}, "note": "private note of " + n}
}

func (p *person) email() string { return strings.ToLower(p.user.DisplayName) + "@secret.example" }

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// serveInstance builds the whole server on db as another instance behind the same public
// URL (so that tokens issued by one verify on all) and the same secret.
func serveInstance(t *testing.T, db *storage.DB, publicURL string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	env := map[string]string{"QRC_PUBLIC_URL": publicURL, "QRC_SECRET": strings.Repeat("e", 32), "QRC_DATA_DIR": t.TempDir()}
	cfg, _, err := config.Load(newFlagSet(), nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := buildApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv.Config.Handler = a.engine
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.push.Close(); cancel() })
	deadline := time.Now().Add(liveWait)
	for a.push.ListenPID() == 0 { // the instance hears the others only once it listens
		if time.Now().After(deadline) {
			t.Fatalf("the second instance did not LISTEN within %v", liveWait)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return srv.URL
}

// openSharedPostgres opens one fresh PostgreSQL database twice, as two instances would.
func openSharedPostgres(t *testing.T) (*storage.DB, *storage.DB) {
	t.Helper()
	url := storagetest.NewPostgresDatabase(t)
	ctx := context.Background()
	var dbs []*storage.DB
	for range 2 {
		db, err := storage.Open(ctx, storage.Options{URL: url, MaxOpenConns: 20})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
	}
	return dbs[0], dbs[1]
}

// checkBasicPush checks a card.updated of editor's card pushed to a fellow member under the
// default (basic) visibility: title and company, never the emails or the note.
func checkBasicPush(t *testing.T, e liveEvent, editor *person, circle int64, title string) {
	t.Helper()
	if e.Type != qrcircles.EventCardUpdated {
		t.Fatalf("event %d is %s, want card.updated: %s", e.ID, e.Type, e.Data)
	}
	p := e.card(t)
	if p.CircleID != circle || p.Card.UserID != editor.user.ID || !slices.Equal(p.Fields, []string{"display_name", "title", "company"}) {
		t.Fatalf("event %d: %s", e.ID, e.Data)
	}
	if title != "" && p.Card.Title != title {
		t.Fatalf("event %d carries title %q, want %q", e.ID, p.Card.Title, title)
	}
	if p.Card.Company != editor.user.DisplayName+" Corp" || len(p.Card.Emails) != 0 || p.Card.Note != "" ||
		strings.Contains(e.Data, editor.email()) || strings.Contains(e.Data, "private note") {
		t.Fatalf("event %d shows a fellow member more than the basic fields: %s", e.ID, e.Data)
	}
}

// TestLiveCardEditAcrossInstances is the acceptance test through the whole server:
// two instances on their own ports share one PostgreSQL; a card edit through instance A
// reaches a member's stream on instance B with only the fields that member may see; the
// member disconnects, three more edits happen on A, and on reconnecting to B with
// Last-Event-ID it receives exactly those three, in order.
func TestLiveCardEditAcrossInstances(t *testing.T) {
	dbA, dbB := openSharedPostgres(t)
	w := newWorld(t, dbA)
	baseB := serveInstance(t, dbB, w.base)
	if baseB == w.base {
		t.Fatal("the instances share a port")
	}
	org := w.person("+8613700000100", "Organizer")
	editor, sub := w.person("+8613800000101", "Erin"), w.person("+8613800000102", "Sam")
	x := w.liveCircle(org, "Two instances", editor, sub)
	editor.putCard("v0")

	onB := liveConnect(t, baseB, sub.token, 0) // sub's token was issued by A
	onB.upTo(sub.mark())
	editor.putCard("v1")
	first := onB.next()
	checkBasicPush(t, first, editor, x.ID, "v1")
	onB.close()

	for _, v := range []string{"v2", "v3", "v4"} {
		editor.putCard(v)
	}
	var written []int64
	if err := dbA.Gorm().Raw(`SELECT id FROM events WHERE type = ? AND subject_id = ? AND id > ? ORDER BY id`,
		qrcircles.EventCardUpdated, editor.user.ID, first.ID).Scan(&written).Error; err != nil {
		t.Fatal(err)
	}
	if len(written) != 3 {
		t.Fatalf("three edits wrote card events %v", written)
	}

	again := liveConnect(t, baseB, sub.token, first.ID)
	var got []int64
	for range 3 {
		e := again.next()
		checkBasicPush(t, e, editor, x.ID, "") // the card as it is when delivered
		got = append(got, e.ID)
	}
	if !slices.Equal(got, written) {
		t.Fatalf("after reconnecting B sent events %v, want %v", got, written)
	}
	if rest := again.upTo(sub.mark()); len(rest) != 0 {
		t.Fatalf("after the three missed edits B sent more: %+v", rest)
	}

	// And the other way: an edit through B reaches a stream on A.
	onA := sub.stream()
	req, _ := http.NewRequest("PUT", baseB+"/api/v1/me/card", strings.NewReader(mustJSON(t, editor.card("v5"))))
	req.Header.Set("Authorization", "Bearer "+editor.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("PUT card through B: %d", res.StatusCode)
	}
	checkBasicPush(t, onA.next(), editor, x.ID, "v5")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type requestResp struct {
	Status  string `json:"status"`
	Request struct {
		ID     int64  `json:"id"`
		FromID int64  `json:"from_id"`
		ToID   int64  `json:"to_id"`
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"request"`
}

type cardRequests struct {
	Incoming []struct {
		ID     int64 `json:"id"`
		FromID int64 `json:"from_id"`
	} `json:"incoming"`
}

// eventsOf keeps the events of one type.
func eventsOf(evs []liveEvent, typ string) []liveEvent {
	var out []liveEvent
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func payload(t *testing.T, e liveEvent) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Data), &m); err != nil {
		t.Fatalf("event %d %s: %q", e.ID, e.Type, e.Data)
	}
	return m
}

// TestLiveStrangerCardsWaitForConsent: a person who refuses cards from strangers gets a
// delivery as a waiting request (and an event saying so); accepting it makes a contact with
// the full card, declining it makes none. Someone who does not refuse gets the card at once.
func TestLiveStrangerCardsWaitForConsent(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000200", "Organizer")
	ann, bob, cat := w.person("+8613800000201", "Ann"), w.person("+8613800000202", "Bob"), w.person("+8613800000203", "Cat")
	x := w.liveCircle(org, "Strangers", ann, bob, cat)
	for _, p := range []*person{ann, bob, cat} {
		p.putCard("Engineer")
	}
	var priv struct {
		Refuse bool `json:"refuse_stranger_cards"`
	}
	w.must(200, bob.token, "PUT", "/api/v1/me/privacy", map[string]any{"refuse_stranger_cards": true}, &priv)
	if !priv.Refuse {
		t.Fatal("refusing stranger cards was not kept")
	}
	bobs, anns := bob.stream(), ann.stream()

	var fromAnn requestResp
	w.must(202, ann.token, "POST", path("/api/v1/users/%d/card/deliver", bob.user.ID), nil, &fromAnn)
	if fromAnn.Status != "waiting" || fromAnn.Request.Kind != "deliver" || fromAnn.Request.FromID != ann.user.ID || fromAnn.Request.ToID != bob.user.ID {
		t.Fatalf("delivery to someone refusing strangers: %+v", fromAnn)
	}
	if s, body := w.get(bob.token, path("/api/v1/contacts/%d", ann.user.ID)); s != 404 {
		t.Fatalf("a waiting delivery is already a contact: %d %s", s, body)
	}
	if s, body := w.get(bob.token, path("/api/v1/users/%d/card", ann.user.ID)); s != 404 || strings.Contains(body, ann.email()) {
		t.Fatalf("a waiting delivery shows the card outside the circle: %d %s", s, body)
	}
	var waiting cardRequests
	w.must(200, bob.token, "GET", "/api/v1/me/card-requests", nil, &waiting)
	if len(waiting.Incoming) != 1 || waiting.Incoming[0].ID != fromAnn.Request.ID || waiting.Incoming[0].FromID != ann.user.ID {
		t.Fatalf("Bob's incoming requests: %+v", waiting)
	}
	evs := bobs.upTo(bob.mark())
	if len(eventsOf(evs, qrcircles.EventCardDelivered)) != 0 {
		t.Fatalf("Bob was told of a delivered card he did not accept: %+v", evs)
	}
	asked := eventsOf(evs, qrcircles.EventCardRequested)
	if len(asked) != 1 || payload(t, asked[0])["request_id"] != float64(fromAnn.Request.ID) {
		t.Fatalf("Bob's events after the delivery: %+v", evs)
	}

	// Accepting makes Ann a contact of Bob, with her whole card.
	w.must(200, bob.token, "POST", path("/api/v1/me/card-requests/%d/accept", fromAnn.Request.ID), nil, nil)
	if s, body := w.get(bob.token, path("/api/v1/contacts/%d", ann.user.ID)); s != 200 || !strings.Contains(body, ann.email()) {
		t.Fatalf("an accepted delivery is not a contact with the full card: %d %s", s, body)
	}
	decided := eventsOf(anns.upTo(ann.mark()), qrcircles.EventCardRequestDecided)
	if len(decided) != 1 || payload(t, decided[0])["status"] != "accepted" {
		t.Fatalf("Ann was not told her delivery was accepted: %+v", decided)
	}

	// Declining makes no contact; the request cannot be decided twice.
	var fromCat requestResp
	w.must(202, cat.token, "POST", path("/api/v1/users/%d/card/deliver", bob.user.ID), nil, &fromCat)
	var answer struct{ Status string }
	w.must(200, bob.token, "POST", path("/api/v1/me/card-requests/%d/decline", fromCat.Request.ID), nil, &answer)
	if answer.Status != "declined" {
		t.Fatalf("decline answered %+v", answer)
	}
	w.must(409, bob.token, "POST", path("/api/v1/me/card-requests/%d/accept", fromCat.Request.ID), nil, nil)
	if s, _ := w.get(bob.token, path("/api/v1/contacts/%d", cat.user.ID)); s != 404 {
		t.Fatalf("a declined delivery is a contact: %d", s)
	}
	if s, body := w.get(bob.token, path("/api/v1/users/%d/card?circle=%d", cat.user.ID, x.ID)); s != 200 || strings.Contains(body, cat.email()) {
		t.Fatalf("after declining, Cat's card in the circle shows Bob: %d %s", s, body)
	}
	if s, body := w.get(bob.token, "/api/v1/contacts"); s != 200 || !strings.Contains(body, ann.email()) || strings.Contains(body, cat.email()) {
		t.Fatalf("Bob's contacts: %d %s", s, body)
	}

	// A contact already held needs no consent; someone who accepts strangers gets it at once.
	var again struct{ Status string }
	w.must(200, ann.token, "POST", path("/api/v1/users/%d/card/deliver", bob.user.ID), nil, &again)
	w.must(200, ann.token, "POST", path("/api/v1/users/%d/card/deliver", cat.user.ID), nil, &again)
	if again.Status != "delivered" {
		t.Fatalf("delivery to someone accepting strangers: %+v", again)
	}
	if s, body := w.get(cat.token, path("/api/v1/contacts/%d", ann.user.ID)); s != 200 || !strings.Contains(body, ann.email()) {
		t.Fatalf("a delivered card is not Cat's contact: %d %s", s, body)
	}
}

// TestLiveMutedCircleIsNotPushedButReadable: a member who muted a circle gets none of its
// events on the stream (another member does), can still read it, and after unmuting gets
// them again.
func TestLiveMutedCircleIsNotPushedButReadable(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000300", "Organizer")
	muter, other, editor := w.person("+8613800000301", "Mia"), w.person("+8613800000302", "Ned"), w.person("+8613800000303", "Eve")
	x := w.liveCircle(org, "Muted", muter, other, editor)
	editor.putCard("Before")
	var muted struct {
		CircleID int64 `json:"circle_id"`
		Muted    bool  `json:"muted"`
	}
	w.must(200, muter.token, "PUT", path("/api/v1/circles/%d/mute", x.ID), nil, &muted)
	if !muted.Muted || muted.CircleID != x.ID {
		t.Fatalf("mute answered %+v", muted)
	}
	if s, body := w.get(muter.token, "/api/v1/me/mutes"); s != 200 || !strings.Contains(body, fmt.Sprintf(`"circle_id":%d`, x.ID)) {
		t.Fatalf("mutes: %d %s", s, body)
	}
	muterStream, otherStream := muter.stream(), other.stream()
	var since int64
	if err := w.db.Gorm().Raw(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&since).Error; err != nil {
		t.Fatal(err)
	}

	w.must(201, org.token, "POST", path("/api/v1/circles/%d/announcements", x.ID), map[string]any{"body": "doors open at nine"}, nil)
	editor.putCard("After")

	newer := func(evs []liveEvent) []liveEvent {
		var out []liveEvent
		for _, e := range evs {
			if e.ID > since && e.circleID() == x.ID {
				out = append(out, e)
			}
		}
		return out
	}
	heard := newer(otherStream.upTo(other.mark()))
	if len(eventsOf(heard, qrcircles.EventAnnouncementCreated)) != 1 || len(eventsOf(heard, qrcircles.EventCardUpdated)) != 1 {
		t.Fatalf("the member who did not mute got %+v", heard)
	}
	checkBasicPush(t, eventsOf(heard, qrcircles.EventCardUpdated)[0], editor, x.ID, "After")
	if got := newer(muterStream.upTo(muter.mark())); len(got) != 0 {
		t.Fatalf("the muted circle's events were pushed to the member who muted it: %+v", got)
	}

	// Still readable.
	if s, body := w.get(muter.token, path("/api/v1/circles/%d/announcements", x.ID)); s != 200 || !strings.Contains(body, "doors open at nine") {
		t.Fatalf("a muted circle's announcements: %d %s", s, body)
	}
	if s, body := w.get(muter.token, path("/api/v1/circles/%d/members/cards", x.ID)); s != 200 || !strings.Contains(body, `"After"`) {
		t.Fatalf("a muted circle's cards: %d %s", s, body)
	}
	if names := w.members(muter.token, x.ID); len(names) != 3 {
		t.Fatalf("a muted circle's members: %v", names)
	}

	// Unmuted, the circle's events come again.
	w.must(204, muter.token, "DELETE", path("/api/v1/circles/%d/mute", x.ID), nil, nil)
	editor.putCard("Unmuted")
	got := newer(muterStream.upTo(muter.mark()))
	if len(got) != 1 {
		t.Fatalf("after unmuting got %+v", got)
	}
	checkBasicPush(t, got[0], editor, x.ID, "Unmuted")
}

// TestLiveLeaveStopsTheCircle: after leaving, a former member gets none of the circle's
// events, live or on reconnecting, and may no longer look inside it.
func TestLiveLeaveStopsTheCircle(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000400", "Organizer")
	leaver, editor := w.person("+8613800000401", "Leo"), w.person("+8613800000402", "Eve")
	x := w.liveCircle(org, "Leaving", leaver, editor)
	editor.putCard("Before")
	s := leaver.stream()
	editor.putCard("Still in")
	before := s.next()
	checkBasicPush(t, before, editor, x.ID, "Still in")

	w.must(204, leaver.token, "DELETE", path("/api/v1/circles/%d/members/me", x.ID), nil, nil)
	editor.putCard("Gone")
	w.must(201, org.token, "POST", path("/api/v1/circles/%d/announcements", x.ID), map[string]any{"body": "after you left"}, nil)
	mark := leaver.mark()
	for _, e := range s.upTo(mark) {
		if e.Type != qrcircles.EventMemberLeft {
			t.Fatalf("a former member got %s %s", e.Type, e.Data)
		}
	}
	s.close()

	// Reconnecting from before the leave replays none of the circle's later events either.
	again := liveConnect(t, w.base, leaver.token, before.ID)
	for _, e := range again.upTo(mark) {
		if e.Type != qrcircles.EventMemberLeft {
			t.Fatalf("a former member's replay holds %s %s", e.Type, e.Data)
		}
	}

	for _, p := range []string{"/members", "/members/cards", "/members.vcf", "/announcements"} {
		if st, body := w.get(leaver.token, path("/api/v1/circles/%d%s", x.ID, p)); st != 403 || strings.Contains(body, "Gone") {
			t.Fatalf("a former member reads %s: %d %s", p, st, body)
		}
	}
	if st, body := w.get(leaver.token, path("/api/v1/users/%d/card?circle=%d", editor.user.ID, x.ID)); st != 404 || strings.Contains(body, "Gone") {
		t.Fatalf("a former member reads a member's card: %d %s", st, body)
	}
}

// TestLiveDeclinedCardRequestGivesNoCard: a request for a card that its owner declines gives
// the asker no contact, tells them so, and their stream keeps carrying only what the circle
// shows.
func TestLiveDeclinedCardRequestGivesNoCard(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000500", "Organizer")
	asker, owner := w.person("+8613800000501", "Ada"), w.person("+8613800000502", "Ole")
	x := w.liveCircle(org, "Requests", asker, owner)
	asker.putCard("Asker")
	owner.putCard("Owner")
	askerStream, ownerStream := asker.stream(), owner.stream()

	var q requestResp
	w.must(202, asker.token, "POST", path("/api/v1/users/%d/card/request", owner.user.ID), nil, &q)
	if q.Status != "waiting" || q.Request.Kind != "request" {
		t.Fatalf("request: %+v", q)
	}
	asked := eventsOf(ownerStream.upTo(owner.mark()), qrcircles.EventCardRequested)
	if len(asked) != 1 || payload(t, asked[0])["from_id"] != float64(asker.user.ID) {
		t.Fatalf("the owner was not told of the request: %+v", asked)
	}
	var answer struct{ Status string }
	w.must(200, owner.token, "POST", path("/api/v1/me/card-requests/%d/decline", q.Request.ID), nil, &answer)
	if answer.Status != "declined" {
		t.Fatalf("decline: %+v", answer)
	}
	w.must(409, owner.token, "POST", path("/api/v1/me/card-requests/%d/decline", q.Request.ID), nil, nil)
	w.must(404, asker.token, "POST", path("/api/v1/me/card-requests/%d/accept", q.Request.ID), nil, nil) // not addressed to the asker

	decided := eventsOf(askerStream.upTo(asker.mark()), qrcircles.EventCardRequestDecided)
	if len(decided) != 1 || payload(t, decided[0])["status"] != "declined" {
		t.Fatalf("the asker was not told of the decline: %+v", decided)
	}
	if s, _ := w.get(asker.token, path("/api/v1/contacts/%d", owner.user.ID)); s != 404 {
		t.Fatalf("a declined request gave a contact: %d", s)
	}
	if s, body := w.get(asker.token, "/api/v1/contacts.vcf"); s != 200 || strings.Contains(body, owner.email()) {
		t.Fatalf("contacts.vcf after a decline: %d %s", s, body)
	}
	if s, body := w.get(asker.token, path("/api/v1/users/%d/card?circle=%d", owner.user.ID, x.ID)); s != 200 || strings.Contains(body, owner.email()) {
		t.Fatalf("the owner's card in the circle after a decline: %d %s", s, body)
	}
	owner.putCard("Owner v2")
	evs := eventsOf(askerStream.upTo(asker.mark()), qrcircles.EventCardUpdated)
	if len(evs) != 1 {
		t.Fatalf("after the owner's edit the asker got %+v", evs)
	}
	checkBasicPush(t, evs[0], owner, x.ID, "Owner v2")
}

// TestLiveRemovedContactLosesTheCard: after removing a contact, their card is no longer
// available as a contact (not listed, not exported, not pushed whole), only as the circle
// shows it.
func TestLiveRemovedContactLosesTheCard(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000600", "Organizer")
	holder, owner := w.person("+8613800000601", "Hal"), w.person("+8613800000602", "Ola")
	x := w.liveCircle(org, "Contacts", holder, owner)
	holder.putCard("Holder")
	owner.putCard("Owner")
	var delivered struct{ Status string }
	w.must(200, owner.token, "POST", path("/api/v1/users/%d/card/deliver", holder.user.ID), nil, &delivered)
	if delivered.Status != "delivered" {
		t.Fatalf("deliver: %+v", delivered)
	}
	if s, body := w.get(holder.token, path("/api/v1/contacts/%d", owner.user.ID)); s != 200 || !strings.Contains(body, owner.email()) {
		t.Fatalf("a delivered contact: %d %s", s, body)
	}
	s := holder.stream()
	owner.putCard("Owner v2")
	evs := eventsOf(s.upTo(holder.mark()), qrcircles.EventCardUpdated)
	whole := 0
	for _, e := range evs {
		if p := e.card(t); p.CircleID == 0 && p.Card.Title == "Owner v2" && slices.Contains(p.Card.Emails, owner.email()) {
			whole++
		}
	}
	if len(evs) != 2 || whole != 1 {
		t.Fatalf("a contact holder in the circle should get the circle's view and the whole card: %+v", evs)
	}

	w.must(204, holder.token, "DELETE", path("/api/v1/contacts/%d", owner.user.ID), nil, nil)
	w.must(404, holder.token, "DELETE", path("/api/v1/contacts/%d", owner.user.ID), nil, nil)
	for _, p := range []string{path("/api/v1/contacts/%d", owner.user.ID), path("/api/v1/contacts/%d.vcf", owner.user.ID), path("/api/v1/users/%d/card", owner.user.ID)} {
		if st, body := w.get(holder.token, p); st != 404 || strings.Contains(body, owner.email()) {
			t.Fatalf("%s after removing the contact: %d %s", p, st, body)
		}
	}
	for _, p := range []string{"/api/v1/contacts", "/api/v1/contacts.vcf", path("/api/v1/circles/%d/members/cards", x.ID), path("/api/v1/circles/%d/members.vcf", x.ID)} {
		if st, body := w.get(holder.token, p); st != 200 || strings.Contains(body, owner.email()) || strings.Contains(body, "private note of Ola") {
			t.Fatalf("%s after removing the contact: %d %s", p, st, body)
		}
	}
	owner.putCard("Owner v3")
	evs = eventsOf(s.upTo(holder.mark()), qrcircles.EventCardUpdated)
	if len(evs) != 1 {
		t.Fatalf("after removing the contact, an edit pushed %+v", evs)
	}
	checkBasicPush(t, evs[0], owner, x.ID, "Owner v3")
}

// TestLivePrivacyReplayAfterOwnerHidesAField: an owner shows everything in a circle, edits,
// then hides the emails there. A member who reconnects afterwards with a Last-Event-ID from
// before the edit is replayed that edit's card.updated: it must carry the card as the member
// may see it now, without the emails, whether or not another member's stream already got the
// same event while the emails were shown.
func TestLivePrivacyReplayAfterOwnerHidesAField(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	org := w.person("+8613700000700", "Organizer")
	owner, early, late := w.person("+8613800000701", "Ola"), w.person("+8613800000702", "Eli"), w.person("+8613800000703", "Lou")
	x := w.liveCircle(org, "Replay", owner, early, late)
	owner.putCard("Before")
	w.must(200, owner.token, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{strconv.FormatInt(x.ID, 10): []string{"all"}}}, nil)

	lateStream := late.stream()
	var lastSeen int64
	if err := w.db.Gorm().Raw(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&lastSeen).Error; err != nil {
		t.Fatal(err)
	}
	lateStream.close()

	earlyStream := early.stream()
	owner.putCard("Shown")
	e := earlyStream.next()
	if p := e.card(t); e.Type != qrcircles.EventCardUpdated || !slices.Contains(p.Card.Emails, owner.email()) {
		t.Fatalf("with everything shown, a member got %s %s", e.Type, e.Data)
	}
	w.must(200, owner.token, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{strconv.FormatInt(x.ID, 10): []string{"basic"}}}, nil)
	if s, body := w.get(late.token, path("/api/v1/circles/%d/members/cards", x.ID)); s != 200 || strings.Contains(body, owner.email()) {
		t.Fatalf("after hiding: %d %s", s, body)
	}

	again := liveConnect(t, w.base, late.token, lastSeen)
	for _, e := range again.upTo(late.mark()) {
		if strings.Contains(e.Data, owner.email()) || strings.Contains(e.Data, "private note of Ola") {
			t.Fatalf("replayed after the owner hid them, event %d %s shows hidden fields: %s", e.ID, e.Type, e.Data)
		}
	}
}
