package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// exclusionAnswer is an answer to POST /api/v1/me/exclusions with what may differ between
// two phones (the exclusion's ID, the phone, the time) taken out.
type exclusionAnswer struct {
	Status  int
	Headers []string
	Body    map[string]string // member → JSON type
}

func (w *world) addExclusion(token, phone string) exclusionAnswer {
	w.t.Helper()
	res, raw := w.request(token, "POST", "/api/v1/me/exclusions", "application/json", strings.NewReader(fmt.Sprintf(`{"phone":%q}`, phone)))
	a := exclusionAnswer{Status: res.StatusCode, Body: map[string]string{}}
	for k := range res.Header {
		if k != "Date" && k != "X-Request-Id" && k != "Content-Length" { // the length counts the ID's digits
			a.Headers = append(a.Headers, k+": "+res.Header.Get(k))
		}
	}
	slices.Sort(a.Headers)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		w.t.Fatalf("answer %d %s", res.StatusCode, raw)
	}
	for k, v := range body {
		a.Body[k] = fmt.Sprintf("%T", v)
	}
	return a
}

// TestExclusionAnswersRevealNothing: through the API, excluding the phone of someone in one
// of your circles is answered exactly as excluding anyone else's — same status, headers and
// body — and it holds from the next join on: the pair's shared circle stays until one leaves,
// then no join puts them together again.
func TestExclusionAnswersRevealNothing(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		org := w.person("+8613700000010", "Olga")
		ann, bob := w.person("+8613800000011", "Ann"), w.person("+8613800000012", "Bob")
		var x, y circleResp
		w.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": "Shared"}, &x)
		w.call(org.token, "POST", "/api/v1/circles", map[string]any{"title": "Next"}, &y)
		for _, p := range []*person{ann, bob} {
			if s, r := p.join(x); s != 200 {
				t.Fatalf("join: %d %+v", s, r)
			}
		}

		fellow := w.addExclusion(ann.token, "138 0000 0012")      // Bob, in a circle with Ann
		stranger := w.addExclusion(ann.token, "138 0000 0099")    // nobody Ann knows
		unknownToo := w.addExclusion(ann.token, "+8613800000098") // nor this one
		if fellow.Status != 201 || !reflect.DeepEqual(fellow, stranger) || !reflect.DeepEqual(stranger, unknownToo) {
			t.Fatalf("the answers differ:\nfellow member: %+v\nstranger:      %+v\nunknown:       %+v", fellow, stranger, unknownToo)
		}

		if names := w.members(org.token, x.ID); len(names) != 2 {
			t.Fatalf("the shared circle changed: %v", names)
		}
		if s := w.call(bob.token, "DELETE", fmt.Sprintf("/api/v1/circles/%d/members/me", x.ID), nil, nil); s != 204 {
			t.Fatalf("leave: %d", s)
		}
		if s, r := bob.join(x); s != 403 || strings.Contains(r.Detail, "Ann") {
			t.Fatalf("Bob rejoined next to Ann, or was told why: %d %+v", s, r)
		}
		if s, _ := bob.join(y); s != 200 {
			t.Fatalf("Bob in a new circle: %d", s)
		}
		if s, _ := ann.join(y); s != 403 {
			t.Fatalf("Ann joined next to Bob: %d", s)
		}
	})
}

// TestSettingsPageExclusionRevealsNothing: on the settings page, adding an exclusion for a
// fellow member's phone ends like any other — saved — and the page says how to part now
// (leave the shared circle) in the reader's language, the same text for everyone.
func TestSettingsPageExclusionRevealsNothing(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000020", circleForm("Gala", "mode", "open"))
	_ = org
	bob := s.browser()
	bob.signIn(bob.scan(circle), "+8613800000022", "Bob")
	ann := s.browser()
	ann.signIn(ann.scan(circle), "+8613800000021", "Ann")

	pages := map[string]string{}
	for _, phone := range []string{"+86 138 0000 0022", "+86 138 0000 0099"} {
		form := ann.get("/settings")
		p := ann.post("/settings/exclusions", url.Values{"csrf": {form.field("csrf")}, "phone": {phone}})
		if p.status != 200 || p.path != "/settings?done=saved" {
			t.Fatalf("exclusion of %s: %d at %s", phone, p.status, p.path)
		}
		pages[phone] = p.body
	}
	note := func(body string) string {
		i := strings.Index(body, `id="exclusions"`)
		j := strings.Index(body[i:], "</p>")
		return html.UnescapeString(body[i : i+j])
	}
	en := note(pages["+86 138 0000 0022"])
	if en != note(pages["+86 138 0000 0099"]) || !strings.Contains(en, "leave that circle under My circles") {
		t.Fatalf("the note differs or does not say how to part:\n%s", en)
	}
	ann.get("/lang/zh-Hans")
	if zh := note(ann.get("/settings").body); !strings.Contains(zh, "请在“我加入的圈子”中退出该圈子") {
		t.Fatalf("the note in Chinese:\n%s", zh)
	}
	if ok, _ := s.db.IsMember(t.Context(), circle.ID, s.user("+8613800000022", "Bob").ID); !ok {
		t.Fatal("the exclusion removed Bob from the shared circle")
	}
}
