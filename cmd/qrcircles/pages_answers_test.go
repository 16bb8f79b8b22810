package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Feedback in place, without scripts: a form names itself, comes back to its own element with
// its answer inside it, and an error shows at the form, not at the top of the page.

// sendForm posts the form and returns where the server sends the browser (not following it).
func (b *browser) sendForm(path string, form url.Values) (int, string) {
	b.s.t.Helper()
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.PostForm(b.s.base+path, form)
	if err != nil {
		b.s.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// inside is the HTML of the element with the id in the page, up to its closing tag of tag.
func inside(p page, tag, id string) string {
	return regexp.MustCompile(`(?s)<` + tag + `[^>]* id="` + regexp.QuoteMeta(id) + `"[^>]*>.*?</` + tag + `>`).FindString(p.body)
}

func TestPagesAnswerNextToTheForm(t *testing.T) {
	s := newSite(t)
	_, circle := s.organizer("+8613700000000", circleForm("Expo"))
	ann := s.joinByPage(circle, "+8613800000001", "Ann")
	set := ann.b.get("/settings")
	csrf := set.field("csrf")

	status, to := ann.b.sendForm("/settings/privacy", url.Values{"csrf": {csrf}, "form": {"toggle-refuse_cards"}, "setting": {"refuse_cards"}, "value": {"on"}})
	if status != http.StatusSeeOther || to != "/settings?done=saved&form=toggle-refuse_cards#toggle-refuse_cards" {
		t.Fatalf("the toggle sends the browser to %q (%d)", to, status)
	}
	back := ann.b.get(strings.TrimSuffix(to, "#toggle-refuse_cards"))
	if form := inside(back, "form", "toggle-refuse_cards"); !strings.Contains(form, `class="notice answer"`) || !strings.Contains(form, "Saved.") {
		t.Fatalf("the toggle's answer is not inside it:\n%s", back.body)
	}
	if n := strings.Count(back.body, `class="notice answer"`); n != 1 {
		t.Fatalf("the answer shows %d times:\n%s", n, back.body)
	}

	// A form id that is not one is ignored: the answer shows at the top, never in the address.
	if _, to := ann.b.sendForm("/settings/privacy", url.Values{"csrf": {csrf}, "form": {`x"><script>`}, "setting": {"refuse_cards"}, "value": {"off"}}); to != "/settings?done=saved" {
		t.Fatalf("a bad form id went into the address: %q", to)
	}

	// An error is shown in the form that caused it, with what was typed; not at the top.
	bad := ann.b.post("/settings/exclusions", url.Values{"csrf": {csrf}, "form": {"exclusion-add"}, "phone": {"not a phone"}})
	form := inside(bad, "form", "exclusion-add")
	if bad.status != http.StatusBadRequest || !strings.Contains(form, `class="error answer"`) || !strings.Contains(form, `value="not a phone"`) {
		t.Fatalf("the exclusion's error is not in its form: %d\n%s", bad.status, bad.body)
	}
	if n := strings.Count(bad.body, `role="alert"`); n != 1 {
		t.Fatalf("the error shows %d times:\n%s", n, bad.body)
	}

	// The card form comes back to its Save button with "Saved".
	card := ann.b.get("/me/card")
	if _, to := ann.b.sendForm("/me/card", url.Values{"csrf": {card.field("csrf")}, "form": {"card-save"}, "display_name": {"Ann Lee"}}); to != "/me/card?done=saved&form=card-save#card-save" {
		t.Fatalf("the card form sends the browser to %q", to)
	}
	if p := ann.b.get("/me/card?done=saved&form=card-save"); !strings.Contains(inside(p, "div", "card-save"), "Saved.") {
		t.Fatalf("the card's answer is not at its Save button:\n%s", p.body)
	}

	// Deliver on the circle's page comes back to the button, answered.
	bob := s.joinByPage(circle, "+8613800000002", "Bob")
	deliver := fmt.Sprintf("deliver-%d", bob.user.ID)
	view := ann.b.get(circlePath(circle.ID))
	if _, to := ann.b.sendForm(fmt.Sprintf("/circles/%d/members/%d/deliver", circle.ID, bob.user.ID), url.Values{"csrf": {view.field("csrf")}, "form": {deliver}}); to != circlePath(circle.ID)+"?done=delivered&form="+deliver+"#"+deliver {
		t.Fatalf("Deliver sends the browser to %q", to)
	}
	if p := ann.b.get(circlePath(circle.ID) + "?done=delivered&form=" + deliver); !strings.Contains(inside(p, "form", deliver), "Your card was delivered.") {
		t.Fatalf("Deliver's answer is not at its button:\n%s", p.body)
	}

	// Ann asks for Bob's card; he declines on his list of requests, where it is gone, and the
	// list says so.
	ann.b.submit(view, fmt.Sprintf("/circles/%d/members/%d/request", circle.ID, bob.user.ID))
	list := bob.b.get("/me/requests")
	decline := regexp.MustCompile(`action="(/me/requests/(\d+)/decline)#card-requests"`).FindStringSubmatch(list.body)
	if decline == nil {
		t.Fatalf("no request to decline:\n%s", list.body)
	}
	if p := bob.b.submit(list, "/me/requests/"+decline[2]+"/shrug", "form", "card-requests"); p.status != http.StatusNotFound {
		t.Fatalf("an answer that is none: %d", p.status)
	}
	p := bob.b.submit(list, decline[1], "form", "card-requests", "back", "https://elsewhere.example/")
	if p.path != "/me/requests?done=declined&form=card-requests" || !strings.Contains(inside(p, "section", "card-requests"), "Declined.") || strings.Contains(p.body, decline[1]) {
		t.Fatalf("declined: at %s (%d)\n%s", p.path, p.status, p.body)
	}
}

// Leaving asks on the page, lands on the circle's landing page and Join takes the person back;
// a removed member opening the circle is told what happened and what to do.
func TestPagesLeaveRejoinAndTheRemovedMember(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Expo", "phone_prefixes", "+86138"))
	ann := s.joinByPage(circle, "+8613800000001", "Ann")
	view := ann.b.get(circlePath(circle.ID))
	if !strings.Contains(inside(view, "section", "leave"), `<details class="confirm">`) || !strings.Contains(text(view), "Leave Expo?") {
		t.Fatalf("the circle's page has no Leave that asks first:\n%s", view.body)
	}
	if org := org.get(circlePath(circle.ID)); strings.Contains(org.body, `id="leave"`) {
		t.Fatal("the organizer is offered to leave their own circle")
	}
	left := ann.b.submit(view, fmt.Sprintf("/circles/%d/leave", circle.ID))
	if left.path != "/c/"+circle.Code+"?left=1" || !strings.Contains(text(left), "You left this circle") || left.field("ticket") == "" {
		t.Fatalf("leaving ends at %s (%d)\n%s", left.path, left.status, left.body)
	}
	again := ann.b.post("/c/"+circle.Code+"/join", url.Values{"csrf": {left.field("csrf")}, "ticket": {left.field("ticket")}})
	if !strings.HasPrefix(again.path, circlePath(circle.ID)) || again.status != http.StatusOK {
		t.Fatalf("joining again ends at %s (%d)\n%s", again.path, again.status, again.body)
	}

	bob := s.joinByPage(circle, "+8613800000002", "Bob")
	if err := s.app.circles.Remove(t.Context(), circle.OwnerID, circle.ID, bob.user.ID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{circlePath(circle.ID), fmt.Sprintf("/circles/%d/members.vcf", circle.ID)} {
		p := bob.b.get(path)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "<h1>Not in this circle</h1>") || !strings.Contains(text(p), "scan its QR code again") || !strings.Contains(p.body, `href="/me/circles" id="away-my-circles"`) || strings.Contains(p.body, `id="away-sign-in"`) {
			t.Fatalf("%s for a removed member: %d\n%s", path, p.status, p.body)
		}
	}
	// Signed out, the page asks to sign in and comes back.
	if p := s.browser().get(circlePath(circle.ID)); !strings.HasPrefix(p.path, "/login?return_to=%2Fcircles%2F") {
		t.Fatalf("signed out: at %s", p.path)
	}
}
