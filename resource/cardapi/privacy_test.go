package cardapi

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"

	"qrcircles"

	"qrcircles/resource/cards"
)

// world is a random arrangement of people, circles, visibility choices and contacts, and the
// privacy rule written out plainly over it: the oracle the API is checked against.
type world struct {
	x        *harness
	r        *rand.Rand
	ids      []int64
	toks     map[int64]string
	markers  map[int64]map[cards.Field]string
	avatar   map[int64]bool
	circles  []int64
	organize map[int64]int64          // circle → organizer
	members  map[int64]map[int64]bool // circle → members
	shown    map[int64]map[int64]cards.FieldSet
	holds    map[int64]map[int64]bool // viewer → owners whose card they hold
}

func markersOf(o int64) map[cards.Field]string {
	m := map[cards.Field]string{}
	for _, f := range []cards.Field{cards.DisplayName, cards.Title, cards.Company, cards.Address, cards.Note} {
		m[f] = fmt.Sprintf("mk%vu%dzz", f, o)
	}
	m[cards.Phones] = fmt.Sprintf("+1415555%04d", o)
	m[cards.Emails] = fmt.Sprintf("mkemailu%dzz@example.com", o)
	m[cards.Website] = fmt.Sprintf("https://mkwebu%dzz.example", o)
	return m
}

// randomFields never returns nil: null in the body means "follow the default".
func randomFields(r *rand.Rand) []string {
	out := []string{}
	for _, n := range cards.All.Names() {
		if r.IntN(2) == 0 {
			out = append(out, n)
		}
	}
	if r.IntN(6) == 0 {
		out = []string{"all"}
	}
	return out
}

func newWorld(t *testing.T, seed uint64) *world {
	x := newHarness(t)
	w := &world{x: x, r: rand.New(rand.NewPCG(seed, 7)), toks: map[int64]string{}, markers: map[int64]map[cards.Field]string{},
		avatar: map[int64]bool{}, organize: map[int64]int64{}, members: map[int64]map[int64]bool{},
		shown: map[int64]map[int64]cards.FieldSet{}, holds: map[int64]map[int64]bool{}}
	for range 6 {
		id, tok := x.user("")
		w.ids, w.toks[id], w.markers[id] = append(w.ids, id), tok, markersOf(id)
		w.holds[id], w.shown[id] = map[int64]bool{}, map[int64]cards.FieldSet{}
		w.putCard(id)
	}
	defaults := w.chooseDefaults()
	for range 3 {
		w.addCircle(defaults)
	}
	w.chooseCircles()
	w.chooseDefaults() // pins the old default in the circles already joined
	w.addContacts()
	return w
}

func (w *world) putCard(id int64) {
	m := w.markers[id]
	body := map[string]any{"display_name": m[cards.DisplayName], "title": m[cards.Title], "company": m[cards.Company],
		"phones": []string{m[cards.Phones]}, "emails": []string{m[cards.Emails]}, "address": m[cards.Address],
		"website": m[cards.Website], "note": m[cards.Note]}
	w.x.must(w.x.do(w.toks[id], "PUT", "/api/v1/me/card", body), 200)
	if w.r.IntN(2) == 0 {
		w.avatar[id] = true
		w.x.must(w.x.do(w.toks[id], "PUT", "/api/v1/me/card/avatar", pngBytes(w.x.t, 20, 20)), 200)
	}
}

func (w *world) chooseDefaults() map[int64]cards.FieldSet {
	out := map[int64]cards.FieldSet{}
	for _, id := range w.ids {
		out[id] = cards.Basic
		if w.r.IntN(2) == 0 {
			names := randomFields(w.r)
			w.x.must(w.x.do(w.toks[id], "PUT", "/api/v1/me/visibility", map[string]any{"default": names}), 200)
			out[id], _ = qrcircles.ParseFields(names, "")
		}
	}
	return out
}

func (w *world) addCircle(defaults map[int64]cards.FieldSet) {
	org := w.ids[w.r.IntN(len(w.ids))]
	c := w.x.circle(org)
	w.circles, w.organize[c], w.members[c] = append(w.circles, c), org, map[int64]bool{}
	for _, id := range w.ids {
		if w.r.IntN(3) != 0 {
			w.x.join(c, id)
			w.members[c][id], w.shown[id][c] = true, defaults[id]
		}
	}
}

func (w *world) chooseCircles() {
	for _, id := range w.ids {
		for c := range w.shown[id] {
			if w.r.IntN(2) == 0 {
				names := randomFields(w.r)
				w.x.must(w.x.do(w.toks[id], "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{itoa(c): names}}), 200)
				w.shown[id][c], _ = qrcircles.ParseFields(names, "")
			}
		}
	}
}

func (w *world) addContacts() {
	for _, v := range w.ids {
		for _, o := range w.ids {
			if v != o && w.r.IntN(4) == 0 {
				if err := w.x.db.AddContact(w.x.ctx, v, o, w.x.now); err != nil {
					w.x.t.Fatal(err)
				}
				w.holds[v][o] = true
			}
		}
	}
}

// allowed is what viewer may see of owner's card when looking in circle (0: none).
func (w *world) allowed(owner, viewer, circle int64) cards.FieldSet {
	if owner == viewer || w.holds[viewer][owner] {
		return cards.All
	}
	if circle == 0 || !w.members[circle][owner] || !(w.members[circle][viewer] || w.organize[circle] == viewer) {
		return cards.None
	}
	return w.shown[owner][circle] | cards.FieldSet(cards.DisplayName)
}

// check fails when text shows viewer a field of any owner's card beyond what circle allows.
func (w *world) check(what string, viewer, circle int64, text string) {
	w.x.t.Helper()
	for owner, m := range w.markers {
		ok := w.allowed(owner, viewer, circle)
		for f, marker := range m {
			if strings.Contains(text, marker) && !ok.Has(f) {
				w.x.t.Fatalf("%s: viewer %d sees hidden %v of user %d (allowed %v):\n%s", what, viewer, f, owner, ok, text)
			}
		}
	}
}

// checkPhotos fails when a vCard export carries a photo its viewer may not see.
func (w *world) checkPhotos(what string, viewer, circle int64, text string) {
	w.x.t.Helper()
	for _, vc := range strings.Split(strings.ReplaceAll(text, "\r\n ", ""), "BEGIN:VCARD")[1:] {
		for _, owner := range w.ids {
			if strings.Contains(vc, "UID:"+cards.UserUID(owner)+"\r\n") && strings.Contains(vc, "PHOTO") && !w.allowed(owner, viewer, circle).Has(cards.Avatar) {
				w.x.t.Fatalf("%s: viewer %d gets user %d's hidden photo", what, viewer, owner)
			}
		}
	}
}

func (w *world) get(tok, path string) *httptest.ResponseRecorder {
	return w.x.do(tok, "GET", path, nil)
}

// TestPrivacyPropertyThroughTheAPI: random cards, visibility choices, relationships and
// viewers; every endpoint, export and event is checked, and no hidden field reaches a viewer.
func TestCardPrivacyPropertyThroughTheAPI(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			w := newWorld(t, seed)
			for _, v := range w.ids {
				w.checkCircles(v)
				w.checkContacts(v)
				w.checkPeople(v)
			}
			w.checkEvents()
		})
	}
}

func (w *world) checkCircles(v int64) {
	tok := w.toks[v]
	for _, c := range w.circles {
		base := "/api/v1/circles/" + itoa(c)
		inside := w.members[c][v] || w.organize[c] == v
		for _, p := range []string{"/members/cards", "/members.vcf", "/members.vcf?version=3.0", "/members.csv"} {
			rec := w.get(tok, base+p)
			w.check(p, v, c, rec.Body.String())
			w.checkPhotos(p, v, c, rec.Body.String())
			want := 200
			if !inside || (p == "/members.csv" && w.organize[c] != v) {
				want = 403
			}
			w.x.must(rec, want)
		}
		if inside {
			w.checkList(v, c, w.get(tok, base+"/members/cards"))
		}
	}
}

// checkList also checks the other way: every field the rule shows is there.
func (w *world) checkList(v, c int64, rec *httptest.ResponseRecorder) {
	w.x.t.Helper()
	var res struct{ Cards []cards.View }
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		w.x.t.Fatal(err)
	}
	for _, view := range res.Cards {
		ok := w.allowed(view.UserID, v, c)
		if (view.Note != "") != ok.Has(cards.Note) || (len(view.Phones) > 0) != ok.Has(cards.Phones) || view.DisplayName == "" {
			w.x.t.Fatalf("circle %d viewer %d: card of %d is %+v, allowed %v", c, v, view.UserID, view, ok)
		}
		if (view.AvatarURL != "") != (ok.Has(cards.Avatar) && w.avatar[view.UserID]) {
			w.x.t.Fatalf("circle %d viewer %d: avatar of %d %q, allowed %v", c, v, view.UserID, view.AvatarURL, ok)
		}
	}
}

func (w *world) checkContacts(v int64) {
	tok := w.toks[v]
	for _, p := range []string{"/api/v1/contacts", "/api/v1/contacts.vcf", "/api/v1/contacts.vcf?version=3.0"} {
		rec := w.x.must(w.get(tok, p), 200)
		w.check(p, v, 0, rec.Body.String())
		w.checkPhotos(p, v, 0, rec.Body.String())
	}
	for _, o := range w.ids {
		for _, p := range []string{"/api/v1/contacts/" + itoa(o), "/api/v1/contacts/" + itoa(o) + ".vcf"} {
			rec := w.get(tok, p)
			w.check(p, v, 0, rec.Body.String())
			if (rec.Code == 200) != w.holds[v][o] {
				w.x.t.Fatalf("%s for %d: %d", p, v, rec.Code)
			}
		}
	}
}

// checkPeople checks the single-card and avatar endpoints, in every circle and in none.
func (w *world) checkPeople(v int64) {
	tok := w.toks[v]
	for _, o := range w.ids {
		for _, c := range append([]int64{0}, w.circles...) {
			q := ""
			if c != 0 {
				q = "?circle=" + itoa(c)
			}
			rec := w.get(tok, "/api/v1/users/"+itoa(o)+"/card"+q)
			w.check("card"+q, v, c, rec.Body.String())
			if (rec.Code == 200) != (w.allowed(o, v, c) != cards.None) {
				w.x.t.Fatalf("card of %d for %d in %d: %d", o, v, c, rec.Code)
			}
			av := w.get(tok, "/api/v1/users/"+itoa(o)+"/avatar"+q)
			if (av.Code == 200) != (w.allowed(o, v, c).Has(cards.Avatar) && w.avatar[o]) {
				w.x.t.Fatalf("avatar of %d for %d in %d: %d", o, v, c, av.Code)
			}
		}
	}
}

// checkEvents: an event carries no card field at all, so no push can leak one.
func (w *world) checkEvents() {
	evs := w.x.ev.Take()
	if len(evs) == 0 {
		w.x.t.Fatal("no events recorded")
	}
	for _, ev := range evs {
		for _, m := range w.markers {
			for f, marker := range m {
				if strings.Contains(string(ev.Payload), marker) {
					w.x.t.Fatalf("an event carries %v: %s", f, ev.Payload)
				}
			}
		}
	}
}
