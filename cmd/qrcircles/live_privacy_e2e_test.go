package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/storage/storagetest"
)

// privacyWorld is a random arrangement of people, cards, visibility choices, circles and
// contacts, made entirely through the server's API, with what the test knows of it: the facts
// cards.Relate and cards.VisibleFields turn into what each viewer may see.
type privacyWorld struct {
	w        *world
	t        *testing.T
	r        *rand.Rand
	people   []*person
	version  int                                // of the cards' markers
	def      map[int64]cards.FieldSet           // owner → default for circles joined later
	shown    map[int64]map[int64]cards.FieldSet // owner → circle → what the circle shows
	circles  []int64
	organize map[int64]int64          // circle → organizer
	members  map[int64]map[int64]bool // circle → members
	holds    map[int64]map[int64]bool // viewer → owners whose card they hold
	refuse   map[int64]bool           // refuses cards from strangers
	circleOf map[int64]circleResp
}

var markedFields = []cards.Field{cards.DisplayName, cards.Title, cards.Company, cards.Phones, cards.Emails,
	cards.Address, cards.Website, cards.Note}

// marker is a string only this field of this owner's card, in this version, holds.
func marker(owner int64, f cards.Field, version int) string {
	switch f {
	case cards.Phones:
		return fmt.Sprintf("+1415555%d%03d", version, owner)
	case cards.Emails:
		return fmt.Sprintf("mkemailv%du%dzz@example.com", version, owner)
	case cards.Website:
		return fmt.Sprintf("https://mkwebv%du%dzz.example", version, owner)
	}
	return fmt.Sprintf("mk%sv%du%dzz", strings.ReplaceAll(f.String(), "_", ""), version, owner)
}

// cardOf is owner's whole card in a version.
func cardOf(owner int64, version int) cards.Card {
	m := func(f cards.Field) string { return marker(owner, f, version) }
	return cards.Card{DisplayName: m(cards.DisplayName), Title: m(cards.Title), Company: m(cards.Company),
		Phones: []string{m(cards.Phones)}, Emails: []string{m(cards.Emails)}, Address: m(cards.Address),
		Website: m(cards.Website), Note: m(cards.Note)}
}

func randomFieldNames(r *rand.Rand) []string {
	switch r.IntN(6) {
	case 0:
		return []string{"all"}
	case 1:
		return []string{"basic"}
	}
	out := []string{}
	for _, n := range cards.All.Names() {
		if n != "avatar" && r.IntN(2) == 0 {
			out = append(out, n)
		}
	}
	return out
}

func parsed(t *testing.T, names []string) cards.FieldSet {
	t.Helper()
	fs, err := qrcircles.ParseFields(names, "")
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func newPrivacyWorld(t *testing.T, seed uint64) *privacyWorld {
	pw := &privacyWorld{w: newWorld(t, storagetest.Postgres(t)), t: t, r: rand.New(rand.NewPCG(seed, 11)), version: 1,
		def: map[int64]cards.FieldSet{}, shown: map[int64]map[int64]cards.FieldSet{}, organize: map[int64]int64{},
		members: map[int64]map[int64]bool{}, holds: map[int64]map[int64]bool{}, refuse: map[int64]bool{},
		circleOf: map[int64]circleResp{}}
	for i := range 7 {
		p := pw.w.person(fmt.Sprintf("+86138%04d%04d", seed, i), fmt.Sprintf("P%d", i))
		pw.people = append(pw.people, p)
		pw.def[p.user.ID], pw.shown[p.user.ID], pw.holds[p.user.ID] = cards.Basic, map[int64]cards.FieldSet{}, map[int64]bool{}
		pw.putCard(p)
	}
	pw.chooseDefaults()
	for range 3 {
		pw.addCircle()
	}
	pw.chooseCircles()
	pw.chooseDefaults() // the circles already joined keep showing the old default
	pw.choosePrivacy()
	pw.exchangeCards()
	return pw
}

func (pw *privacyWorld) putCard(p *person) {
	c := cardOf(p.user.ID, pw.version)
	pw.w.must(200, p.token, "PUT", "/api/v1/me/card", map[string]any{"display_name": c.DisplayName, "title": c.Title,
		"company": c.Company, "phones": c.Phones, "emails": c.Emails, "address": c.Address, "website": c.Website, "note": c.Note}, nil)
}

func (pw *privacyWorld) chooseDefaults() {
	for _, p := range pw.people {
		if pw.r.IntN(2) == 0 {
			names := randomFieldNames(pw.r)
			pw.w.must(200, p.token, "PUT", "/api/v1/me/visibility", map[string]any{"default": names}, nil)
			pw.def[p.user.ID] = parsed(pw.t, names)
		}
	}
}

// addCircle: the organizer is one of the people (the last one never joins anything: a
// stranger to all); the others join at random, the organizer sometimes too.
func (pw *privacyWorld) addCircle() {
	org := pw.people[pw.r.IntN(len(pw.people)-1)]
	c := pw.w.liveCircle(org, fmt.Sprintf("Circle %d", len(pw.circles)))
	pw.circles, pw.organize[c.ID], pw.members[c.ID], pw.circleOf[c.ID] = append(pw.circles, c.ID), org.user.ID, map[int64]bool{}, c
	for _, p := range pw.people[:len(pw.people)-1] {
		if pw.r.IntN(3) == 0 || (p == org && pw.r.IntN(2) == 0) {
			continue
		}
		if s, r := p.join(c); s != 200 || r.Status != "joined" {
			pw.t.Fatalf("join: %d %+v", s, r)
		}
		pw.members[c.ID][p.user.ID], pw.shown[p.user.ID][c.ID] = true, pw.def[p.user.ID]
	}
}

func (pw *privacyWorld) chooseCircles() {
	for _, p := range pw.people {
		for _, c := range pw.circles {
			if !pw.members[c][p.user.ID] || pw.r.IntN(2) == 0 {
				continue
			}
			key := strconv.FormatInt(c, 10)
			if pw.r.IntN(4) == 0 { // back to the default
				pw.w.must(200, p.token, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{key: nil}}, nil)
				pw.shown[p.user.ID][c] = pw.def[p.user.ID]
				continue
			}
			names := randomFieldNames(pw.r)
			pw.w.must(200, p.token, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{key: names}}, nil)
			pw.shown[p.user.ID][c] = parsed(pw.t, names)
		}
	}
}

func (pw *privacyWorld) choosePrivacy() {
	for _, p := range pw.people {
		if pw.r.IntN(2) == 0 {
			pw.w.must(200, p.token, "PUT", "/api/v1/me/privacy", map[string]any{"refuse_stranger_cards": true}, nil)
			pw.refuse[p.user.ID] = true
		}
	}
}

// shares is what lets two people exchange cards: a circle both are in, or one organizes.
func (pw *privacyWorld) shares(a, b int64) bool {
	for _, c := range pw.circles {
		m := pw.members[c]
		if (m[a] && m[b]) || (m[a] && pw.organize[c] == b) || (m[b] && pw.organize[c] == a) {
			return true
		}
	}
	return false
}

// exchangeCards delivers and requests cards at random; the receivers accept or decline.
func (pw *privacyWorld) exchangeCards() {
	for _, v := range pw.people {
		for _, o := range pw.people {
			if v == o || !pw.shares(v.user.ID, o.user.ID) || pw.r.IntN(3) != 0 {
				continue
			}
			if pw.r.IntN(2) == 0 {
				pw.deliver(o, v)
			} else {
				pw.request(v, o)
			}
		}
	}
}

// deliver: owner gives viewer their card.
func (pw *privacyWorld) deliver(owner, viewer *person) {
	var out requestResp
	s := pw.w.call(owner.token, "POST", path("/api/v1/users/%d/card/deliver", viewer.user.ID), nil, &out)
	waits := pw.refuse[viewer.user.ID] && !pw.holds[viewer.user.ID][owner.user.ID]
	switch {
	case !waits && s == 200 && out.Status == "delivered":
		pw.holds[viewer.user.ID][owner.user.ID] = true
	case waits && s == 202 && out.Status == "waiting":
		pw.decide(viewer, out.Request.ID, owner.user.ID, viewer.user.ID)
	default:
		pw.t.Fatalf("delivery from %d to %d (refuses strangers: %v): %d %+v", owner.user.ID, viewer.user.ID, waits, s, out)
	}
}

// request: viewer asks for owner's card.
func (pw *privacyWorld) request(viewer, owner *person) {
	var out requestResp
	s := pw.w.call(viewer.token, "POST", path("/api/v1/users/%d/card/request", owner.user.ID), nil, &out)
	switch {
	case pw.holds[viewer.user.ID][owner.user.ID] && s == 409:
	case !pw.holds[viewer.user.ID][owner.user.ID] && s == 202:
		pw.decide(owner, out.Request.ID, owner.user.ID, viewer.user.ID)
	default:
		pw.t.Fatalf("request by %d for %d's card: %d %+v", viewer.user.ID, owner.user.ID, s, out)
	}
}

// decide has the receiver of a waiting request accept or decline it; accepting gives the
// viewer the owner's card.
func (pw *privacyWorld) decide(receiver *person, id, owner, viewer int64) {
	verb := "decline"
	if pw.r.IntN(3) != 0 {
		verb = "accept"
		pw.holds[viewer][owner] = true
	}
	pw.w.must(200, receiver.token, "POST", path("/api/v1/me/card-requests/%d/%s", id, verb), nil, nil)
}

// allowed is what the rule lets viewer see of owner's card when looking in circle (0: in
// none), and whether there is a card to see at all.
func (pw *privacyWorld) allowed(owner, viewer, circle int64) (cards.FieldSet, bool) {
	f := cards.Facts{OwnerID: owner, ViewerID: viewer, ViewerHoldsOwner: pw.holds[viewer][owner], CircleID: circle,
		OwnerIsMember: circle != 0 && pw.members[circle][owner], ViewerIsMember: circle != 0 && pw.members[circle][viewer],
		ViewerOrganizes: circle != 0 && pw.organize[circle] == viewer}
	rel := cards.Relate(f)
	fs := cards.VisibleFields(cards.Settings{Default: pw.def[owner], Circles: pw.shown[owner]}, rel)
	return fs, rel.Kind != cards.Stranger
}

// want is the view the rule gives viewer of owner's current card.
func (pw *privacyWorld) want(owner, viewer, circle int64) cards.View {
	fs, _ := pw.allowed(owner, viewer, circle)
	return cards.ViewOf(cards.Entry{UserID: owner, Card: cards.Project(cardOf(owner, pw.version), fs)}, "")
}

// noLeak fails when text shows a marker of any version of a field the rule hides from viewer;
// shows gives, per owner, what the text may show (owners not in it: nothing).
func (pw *privacyWorld) noLeak(what string, viewer int64, shows map[int64]cards.FieldSet, text string) {
	pw.t.Helper()
	text = strings.NewReplacer("\r\n ", "", "\r\n\t", "").Replace(text) // unfold vCard lines
	for _, o := range pw.people {
		for v := 1; v <= pw.version; v++ {
			for _, f := range markedFields {
				if strings.Contains(text, marker(o.user.ID, f, v)) && !shows[o.user.ID].Has(f) {
					pw.t.Fatalf("%s: viewer %d sees %v of user %d, hidden from them (may see %v):\n%s",
						what, viewer, f, o.user.ID, shows[o.user.ID].Names(), text)
				}
			}
		}
	}
}

// present fails unless text shows every field shows allows, in the current version.
func (pw *privacyWorld) present(what string, viewer int64, shows map[int64]cards.FieldSet, text string) {
	pw.t.Helper()
	text = strings.NewReplacer("\r\n ", "", "\r\n\t", "").Replace(text)
	for owner, fs := range shows {
		for _, f := range markedFields {
			if fs.Has(f) && !strings.Contains(text, marker(owner, f, pw.version)) {
				pw.t.Fatalf("%s: viewer %d misses %v of user %d, which they may see:\n%s", what, viewer, f, owner, text)
			}
		}
	}
}

// checkCircle checks every read and export of one circle for one viewer.
func (pw *privacyWorld) checkCircle(v *person, c int64) {
	pw.t.Helper()
	id := v.user.ID
	inside := pw.members[c][id] || pw.organize[c] == id
	shows := map[int64]cards.FieldSet{}
	if inside {
		for o := range pw.members[c] {
			shows[o], _ = pw.allowed(o, id, c)
		}
	}
	base := path("/api/v1/circles/%d", c)
	for _, p := range []string{"/members/cards", "/members.vcf", "/members.vcf?version=4.0", "/members.vcf?version=3.0", "/members.csv"} {
		s, body := pw.w.get(v.token, base+p)
		pw.noLeak(base+p, id, shows, body)
		want := 200
		if !inside || (p == "/members.csv" && pw.organize[c] != id) {
			want = 403
		}
		if s != want {
			pw.t.Fatalf("%s for viewer %d: %d, want %d: %s", base+p, id, s, want, body)
		}
		if s == 200 {
			pw.present(base+p, id, shows, body)
		}
	}
	if !inside {
		return
	}
	var list struct{ Cards []cards.View }
	pw.w.must(200, v.token, "GET", base+"/members/cards", nil, &list)
	var got []int64
	for _, view := range list.Cards {
		got = append(got, view.UserID)
		view.AvatarURL = ""
		if want := pw.want(view.UserID, id, c); !reflect.DeepEqual(view, want) {
			pw.t.Fatalf("circle %d, viewer %d: card of %d is\n%+v\nwant\n%+v", c, id, view.UserID, view, want)
		}
	}
	var want []int64
	for o := range pw.members[c] {
		want = append(want, o)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		pw.t.Fatalf("circle %d lists %v to viewer %d, want the members %v", c, got, id, want)
	}
}

// checkCards checks the single-card endpoint for every owner, in every circle and in none.
func (pw *privacyWorld) checkCards(v *person) {
	pw.t.Helper()
	id := v.user.ID
	for _, o := range pw.people {
		for _, c := range append([]int64{0}, pw.circles...) {
			p := path("/api/v1/users/%d/card", o.user.ID)
			if c != 0 {
				p += path("?circle=%d", c)
			}
			fs, related := pw.allowed(o.user.ID, id, c)
			s, body := pw.w.get(v.token, p)
			pw.noLeak(p, id, map[int64]cards.FieldSet{o.user.ID: fs}, body)
			if (s == 200) != related {
				pw.t.Fatalf("%s for viewer %d: %d, related %v: %s", p, id, s, related, body)
			}
			if s != 200 {
				continue
			}
			var view cards.View
			if err := json.Unmarshal([]byte(body), &view); err != nil {
				pw.t.Fatal(err)
			}
			view.AvatarURL = ""
			if want := pw.want(o.user.ID, id, c); !reflect.DeepEqual(view, want) {
				pw.t.Fatalf("%s for viewer %d:\n%+v\nwant\n%+v", p, id, view, want)
			}
		}
	}
}

// checkContacts checks the contact list and its exports.
func (pw *privacyWorld) checkContacts(v *person) {
	pw.t.Helper()
	id := v.user.ID
	shows := map[int64]cards.FieldSet{}
	for o := range pw.holds[id] {
		shows[o], _ = pw.allowed(o, id, 0)
	}
	for _, p := range []string{"/api/v1/contacts", "/api/v1/contacts.vcf", "/api/v1/contacts.vcf?version=3.0"} {
		s, body := pw.w.get(v.token, p)
		if s != 200 {
			pw.t.Fatalf("%s for viewer %d: %d %s", p, id, s, body)
		}
		pw.noLeak(p, id, shows, body)
		pw.present(p, id, shows, body)
	}
	var list struct{ Contacts []cards.View }
	pw.w.must(200, v.token, "GET", "/api/v1/contacts", nil, &list)
	if len(list.Contacts) != len(pw.holds[id]) {
		pw.t.Fatalf("viewer %d has contacts %+v, want %v", id, list.Contacts, pw.holds[id])
	}
	for _, view := range list.Contacts {
		view.AvatarURL = ""
		if want := pw.want(view.UserID, id, 0); !pw.holds[id][view.UserID] || !reflect.DeepEqual(view, want) {
			pw.t.Fatalf("viewer %d's contact %+v, want %+v", id, view, want)
		}
	}
}

// checkPushes checks the card.updated events a viewer's stream got for everyone's edit (IDs
// above since): exactly one per circle they look at the owner in, plus one when they hold
// the owner's card, each with exactly the fields the rule shows. Every card.updated the
// stream got at all is checked for hidden fields.
func (pw *privacyWorld) checkPushes(v *person, evs []liveEvent, since int64) {
	pw.t.Helper()
	id := v.user.ID
	type key struct{ owner, circle int64 }
	want := map[key]cards.FieldSet{}
	for _, o := range pw.people {
		for _, c := range pw.circles {
			if pw.members[c][o.user.ID] && (pw.members[c][id] || pw.organize[c] == id) {
				want[key{o.user.ID, c}], _ = pw.allowed(o.user.ID, id, c)
			}
		}
		if pw.holds[id][o.user.ID] {
			want[key{o.user.ID, 0}], _ = pw.allowed(o.user.ID, id, 0)
		}
	}
	got := map[key]bool{}
	for _, e := range evs {
		if e.Type != qrcircles.EventCardUpdated {
			continue
		}
		p := e.card(pw.t)
		fs, _ := pw.allowed(p.Card.UserID, id, p.CircleID)
		pw.noLeak(fmt.Sprintf("event %d", e.ID), id, map[int64]cards.FieldSet{p.Card.UserID: fs}, e.Data)
		if e.ID <= since {
			continue
		}
		k := key{p.Card.UserID, p.CircleID}
		fields, ok := want[k]
		if !ok || got[k] {
			pw.t.Fatalf("viewer %d got an unexpected or repeated card event: %s", id, e.Data)
		}
		got[k] = true
		p.Card.AvatarURL = ""
		if !slices.Equal(p.Fields, fields.Names()) || !reflect.DeepEqual(p.Card, pw.want(k.owner, id, k.circle)) {
			pw.t.Fatalf("viewer %d got %s\nwant fields %v and card %+v", id, e.Data, fields.Names(), pw.want(k.owner, id, k.circle))
		}
	}
	if len(got) != len(want) {
		pw.t.Fatalf("viewer %d got card events for %v, want %v", id, got, want)
	}
}

// TestLivePrivacyPropertyThroughTheServer: in random worlds made through the API, no read,
// export or pushed card.updated event shows any viewer (members, organizers, contacts,
// strangers) a field its owner hid from them, and each shows every field the rule allows.
func TestLivePrivacyPropertyThroughTheServer(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			pw := newPrivacyWorld(t, seed)
			streams := make([]*liveStream, len(pw.people))
			for i, p := range pw.people {
				streams[i] = p.stream()
			}
			var since int64
			if err := pw.w.db.Gorm().Raw(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&since).Error; err != nil {
				t.Fatal(err)
			}
			pw.version = 2
			for _, p := range pw.people {
				pw.putCard(p)
			}
			strangers := 0
			for i, v := range pw.people {
				pw.checkPushes(v, streams[i].upTo(v.mark()), since)
				related := false
				for _, o := range pw.people {
					for _, c := range append([]int64{0}, pw.circles...) {
						_, r := pw.allowed(o.user.ID, v.user.ID, c)
						related = related || (r && o != v)
					}
				}
				if !related {
					strangers++
				}
			}
			contacts, outsideOrganizers := 0, 0
			for _, held := range pw.holds {
				contacts += len(held)
			}
			for _, c := range pw.circles {
				if !pw.members[c][pw.organize[c]] {
					outsideOrganizers++
				}
			}
			if strangers == 0 || contacts == 0 || outsideOrganizers == 0 {
				t.Fatalf("the world lacks a case: %d strangers, %d contacts, %d organizers outside their circle", strangers, contacts, outsideOrganizers)
			}
			for _, v := range pw.people {
				for _, c := range pw.circles {
					pw.checkCircle(v, c)
				}
				pw.checkCards(v)
				pw.checkContacts(v)
			}
		})
	}
}
