package circles_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/circles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// The joins contract: what a join gives on every admission path — open, capped,
// allowlisted, review, exclusion and refuse-all circles — for repeats (the same join sent
// several times at once, after leaving, after a denial, after a removal) and under races
// (many people at once against a cap or an exclusion), on SQLite and PostgreSQL alike. What
// the joins answered, what the database holds and the events written must all agree.

var contractNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

type joinWorld struct {
	t     *testing.T
	ctx   context.Context
	db    *storage.DB
	svc   *circles.Service
	org   storage.User
	phone int // the last phone number handed out
}

func newJoinWorld(t *testing.T, db *storage.DB) *joinWorld {
	w := &joinWorld{t: t, ctx: context.Background(), db: db,
		svc: &circles.Service{Store: db, NormalizePhone: cnPhones, Now: func() time.Time { return contractNow }}}
	w.org = w.users(1)[0]
	return w
}

// users makes n people with phones of their own.
func (w *joinWorld) users(n int) []storage.User {
	w.t.Helper()
	out := make([]storage.User, n)
	for i := range out {
		w.phone++
		out[i] = newUser(w.t, w.db, fmt.Sprintf("+86139%08d", w.phone))
	}
	return out
}

func (w *joinWorld) circle(name string, r qrcircles.Rules, allowlist []string) storage.Circle {
	w.t.Helper()
	c := storage.Circle{Code: "contract-" + name, OwnerID: w.org.ID, Title: name, TimeZone: "UTC", Rules: r,
		CreatedAt: contractNow, UpdatedAt: contractNow}
	if err := w.db.CreateCircle(w.ctx, &c, allowlist); err != nil {
		w.t.Fatal(err)
	}
	return c
}

// race sends every person's join repeats times, all at once, and returns each person's
// answer; every repeat of one person must get the same answer.
func (w *joinWorld) race(c storage.Circle, us []storage.User, repeats int) map[int64]storage.JoinOutcome {
	w.t.Helper()
	var mu sync.Mutex
	got := map[int64][]storage.JoinOutcome{}
	var wg sync.WaitGroup
	errs := make(chan error, len(us)*repeats)
	for _, u := range us {
		for range repeats {
			wg.Go(func() {
				out, err := w.svc.JoinCircle(w.ctx, u, c, contractNow)
				if err != nil {
					errs <- fmt.Errorf("join of user %d: %w", u.ID, err)
					return
				}
				mu.Lock()
				got[u.ID] = append(got[u.ID], out)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		w.t.Fatal(err)
	}
	out := map[int64]storage.JoinOutcome{}
	for id, outs := range got {
		for _, o := range outs[1:] {
			if o.Member != outs[0].Member || o.Request.Status != outs[0].Request.Status || o.Request.ID != outs[0].Request.ID {
				w.t.Errorf("user %d: repeats of one join answered %+v and %+v", id, outs[0], o)
			}
		}
		out[id] = outs[0]
	}
	return out
}

func (w *joinWorld) join(c storage.Circle, u storage.User) storage.JoinOutcome {
	w.t.Helper()
	return w.race(c, []storage.User{u}, 1)[u.ID]
}

// stored is what the database holds about one circle.
type stored struct {
	members  map[int64]bool
	requests map[int64]storage.JoinRequest
	// events of the circle by type, counted per person they are about
	events map[string]map[int64]int
}

func (w *joinWorld) stored(c storage.Circle) stored {
	w.t.Helper()
	s := stored{members: map[int64]bool{}, requests: map[int64]storage.JoinRequest{}, events: map[string]map[int64]int{}}
	ms, err := w.db.Members(w.ctx, c.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range ms {
		s.members[m.UserID] = true
	}
	for _, status := range []string{storage.RequestAdmitted, storage.RequestWaiting, storage.RequestDenied,
		storage.RequestRefused, storage.RequestLeft, storage.RequestRemoved} {
		qs, err := w.db.RequestsOfCircle(w.ctx, c.ID, status)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, q := range qs {
			s.requests[q.UserID] = q
		}
	}
	evs, err := w.db.EventsAfter(w.ctx, 0, 100000)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range evs {
		var p struct {
			CircleID int64 `json:"circle_id"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil || p.CircleID != c.ID || e.SubjectID == 0 {
			continue
		}
		if s.events[e.Type] == nil {
			s.events[e.Type] = map[int64]int{}
		}
		s.events[e.Type][e.SubjectID]++
	}
	return s
}

// check compares each person's answer with the database: a member has an admitted request
// and one member.joined event; anyone else has the request they were answered with, with
// the status and first reason wanted of them.
func (w *joinWorld) check(c storage.Circle, answers map[int64]storage.JoinOutcome, want func(storage.User) (string, qrcircles.Reason), us []storage.User) stored {
	w.t.Helper()
	s := w.stored(c)
	for _, u := range us {
		a, q := answers[u.ID], s.requests[u.ID]
		status, reason := want(u)
		if a.Request.Status != status || q.Status != status || a.Request.ID != q.ID {
			w.t.Errorf("user %d: answered %s (request %d), stored %s (request %d), want %s", u.ID, a.Request.Status, a.Request.ID, q.Status, q.ID, status)
		}
		if reason != "" && (len(q.Reasons) == 0 || q.Reasons[0] != reason) {
			w.t.Errorf("user %d: reasons %v, want %s first", u.ID, q.Reasons, reason)
		}
		member := status == storage.RequestAdmitted
		if a.Member != member || s.members[u.ID] != member {
			w.t.Errorf("user %d: answered member %v, stored member %v, want %v", u.ID, a.Member, s.members[u.ID], member)
		}
		if n := s.events[qrcircles.EventMemberJoined][u.ID]; n != boolInt(member) {
			w.t.Errorf("user %d: %d member.joined events, want %d", u.ID, n, boolInt(member))
		}
		if n := s.events[qrcircles.EventRequestCreated][u.ID]; n != boolInt(status == storage.RequestWaiting) {
			w.t.Errorf("user %d (%s): %d request.created events", u.ID, status, n)
		}
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestJoinsContract(t *testing.T) {
	const people, repeats = 24, 2
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newJoinWorld(t, db)
		crowd := w.users(people)

		t.Run("open", func(t *testing.T) {
			c := w.circle("open", qrcircles.Rules{Mode: qrcircles.ModeOpen}, nil)
			w.check(c, w.race(c, crowd, repeats), func(storage.User) (string, qrcircles.Reason) { return storage.RequestAdmitted, "" }, crowd)
		})

		t.Run("capped", func(t *testing.T) {
			const limit = 7
			c := w.circle("capped", qrcircles.Rules{Mode: qrcircles.ModeOpen, Cap: limit}, nil)
			answers := w.race(c, crowd, repeats)
			s := w.check(c, answers, func(u storage.User) (string, qrcircles.Reason) {
				if answers[u.ID].Member {
					return storage.RequestAdmitted, ""
				}
				return storage.RequestWaiting, qrcircles.ReasonCapReached
			}, crowd)
			if len(s.members) != limit {
				t.Fatalf("%d members of a circle capped at %d", len(s.members), limit)
			}
		})

		t.Run("allowlist", func(t *testing.T) {
			var listed []string
			for i := 0; i < len(crowd); i += 2 {
				listed = append(listed, crowd[i].Phone)
			}
			c := w.circle("allowlist", qrcircles.Rules{}, listed)
			w.check(c, w.race(c, crowd, repeats), func(u storage.User) (string, qrcircles.Reason) {
				if slices.Contains(listed, u.Phone) {
					return storage.RequestAdmitted, ""
				}
				return storage.RequestWaiting, qrcircles.ReasonNotInRange
			}, crowd)
		})

		t.Run("review", func(t *testing.T) {
			c := w.circle("review", qrcircles.Rules{Mode: qrcircles.ModeReview}, nil)
			w.check(c, w.race(c, crowd, repeats), func(storage.User) (string, qrcircles.Reason) {
				return storage.RequestWaiting, qrcircles.ReasonReview
			}, crowd)
		})

		t.Run("exclusions", func(t *testing.T) { testExclusionRace(t, w) })
		t.Run("refuse-all", func(t *testing.T) { testRefuseAll(t, w) })
		t.Run("repeats", func(t *testing.T) { testRepeats(t, w) })
		t.Run("decisions", func(t *testing.T) { testDecisions(t, w) })
	})
}

// testExclusionRace: pairs who exclude each other (either way round) all join at once; of
// each pair exactly one gets in and the other is refused, and people without exclusions
// get in beside them.
func testExclusionRace(t *testing.T, w *joinWorld) {
	const pairs = 10
	us := w.users(2*pairs + 4)
	for k := range pairs {
		a, b := us[2*k], us[2*k+1]
		if k%2 == 1 {
			a, b = b, a
		}
		if _, err := w.db.CreateExclusion(w.ctx, a.ID, a.Phone, b.Phone, contractNow); err != nil {
			t.Fatal(err)
		}
	}
	c := w.circle("exclusions", qrcircles.Rules{Mode: qrcircles.ModeOpen}, nil)
	answers := w.race(c, us, 2)
	s := w.check(c, answers, func(u storage.User) (string, qrcircles.Reason) {
		if answers[u.ID].Member {
			return storage.RequestAdmitted, ""
		}
		return storage.RequestRefused, qrcircles.ReasonExcluded
	}, us)
	for k := range pairs {
		if s.members[us[2*k].ID] == s.members[us[2*k+1].ID] {
			t.Errorf("pair %d: members %v and %v, want exactly one", k, s.members[us[2*k].ID], s.members[us[2*k+1].ID])
		}
	}
	for _, u := range us[2*pairs:] {
		if !s.members[u.ID] {
			t.Errorf("user %d without exclusions was not admitted", u.ID)
		}
	}
}

// testRefuseAll: a person who refuses all circles is refused, and gets in once they stop.
func testRefuseAll(t *testing.T, w *joinWorld) {
	u := w.users(1)[0]
	c := w.circle("refuse-all", qrcircles.Rules{Mode: qrcircles.ModeOpen}, nil)
	if err := w.db.SetRefuseAllCircles(w.ctx, u.ID, true, contractNow); err != nil {
		t.Fatal(err)
	}
	out := w.join(c, u)
	if out.Member || out.Request.Status != storage.RequestRefused || !slices.Equal(out.Request.Reasons, []qrcircles.Reason{qrcircles.ReasonRefusesAll}) {
		t.Fatalf("refusing all circles: %+v", out)
	}
	if err := w.db.SetRefuseAllCircles(w.ctx, u.ID, false, contractNow); err != nil {
		t.Fatal(err)
	}
	if out := w.join(c, u); !out.Member || out.Request.Status != storage.RequestAdmitted {
		t.Fatalf("after the refusal ended: %+v", out)
	}
}

// testRepeats: a member joining again stays a member with no new event; after leaving they
// are admitted again (a second member.joined); a denied person stays denied; a removed one
// waits for review.
func testRepeats(t *testing.T, w *joinWorld) {
	us := w.users(3)
	leaver, denied, removed := us[0], us[1], us[2]
	open := w.circle("repeats-open", qrcircles.Rules{Mode: qrcircles.ModeOpen}, nil)
	first := w.join(open, leaver)
	if again := w.join(open, leaver); !again.Member || again.Request.ID != first.Request.ID {
		t.Fatalf("joining again: %+v, then %+v", first, again)
	}
	if err := w.svc.Leave(w.ctx, leaver.ID, open.ID); err != nil {
		t.Fatal(err)
	}
	if back := w.join(open, leaver); !back.Member || back.Request.ID != first.Request.ID {
		t.Fatalf("joining after leaving: %+v", back)
	}
	if n := w.stored(open).events[qrcircles.EventMemberJoined][leaver.ID]; n != 2 {
		t.Errorf("%d member.joined events for two admissions", n)
	}

	review := w.circle("repeats-review", qrcircles.Rules{Mode: qrcircles.ModeReview}, nil)
	q := w.join(review, denied).Request
	if _, err := w.svc.Deny(w.ctx, w.org.ID, review.ID, q.ID); err != nil {
		t.Fatal(err)
	}
	before := w.stored(review).events
	if again := w.join(review, denied); again.Member || again.Request.Status != storage.RequestDenied {
		t.Fatalf("joining after a denial: %+v", again)
	}
	if after := w.stored(review).events; !mapsEqual(before, after) {
		t.Errorf("a denied person's repeat wrote events: %v, then %v", before, after)
	}

	w.join(open, removed)
	if err := w.svc.Remove(w.ctx, w.org.ID, open.ID, removed.ID); err != nil {
		t.Fatal(err)
	}
	if back := w.join(open, removed); back.Member || back.Request.Status != storage.RequestWaiting || back.Request.Reasons[0] != qrcircles.ReasonReview {
		t.Fatalf("joining after a removal: %+v", back)
	}
}

// testDecisions: the organizer's approval admits a waiting request once and never past the
// cap; a rule change admits the waiting requests that now pass.
func testDecisions(t *testing.T, w *joinWorld) {
	us := w.users(4)
	c := w.circle("decisions", qrcircles.Rules{Mode: qrcircles.ModeReview, Cap: 1}, nil)
	var qs []storage.JoinRequest
	for _, u := range us[:2] {
		qs = append(qs, w.join(c, u).Request)
	}
	if out, err := w.svc.Approve(w.ctx, w.org.ID, c.ID, qs[0].ID); err != nil || !out.Member {
		t.Fatalf("approval: %+v %v", out, err)
	}
	if _, err := w.svc.Approve(w.ctx, w.org.ID, c.ID, qs[0].ID); qrcircles.CodeOf(err) != qrcircles.EConflict {
		t.Fatalf("approving twice: %v", err)
	}
	if out, err := w.svc.Approve(w.ctx, w.org.ID, c.ID, qs[1].ID); err != nil || out.Member || out.Request.Reasons[0] != qrcircles.ReasonCapReached {
		t.Fatalf("approval past the cap: %+v %v", out, err)
	}

	listed := w.circle("redecide", qrcircles.Rules{PhonePrefixes: []string{"+1"}}, nil)
	for _, u := range us[2:] {
		if out := w.join(listed, u); out.Request.Status != storage.RequestWaiting {
			t.Fatalf("outside the range: %+v", out)
		}
	}
	open := qrcircles.ModeOpen
	if _, admitted, err := w.svc.Update(w.ctx, w.org.ID, listed.ID, circles.Input{Mode: &open}); err != nil || admitted != 2 {
		t.Fatalf("opening the circle admitted %d: %v", admitted, err)
	}
	s := w.stored(listed)
	if len(s.members) != 2 || s.events[qrcircles.EventMemberJoined][us[2].ID] != 1 || s.events[qrcircles.EventRequestDecided][us[3].ID] != 1 {
		t.Fatalf("after opening: members %v, events %v", s.members, s.events)
	}
}

func mapsEqual(a, b map[string]map[int64]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, m := range a {
		n := b[k]
		if len(m) != len(n) {
			return false
		}
		for id, v := range m {
			if n[id] != v {
				return false
			}
		}
	}
	return true
}
