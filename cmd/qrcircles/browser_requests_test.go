package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"qrcircles/templates"
)

// Card requests where they happen, answers in place, leaving and coming back, and the page
// of a removed member, in real headless Chromium on a 360-px screen, once per language: Bob
// asks for Ann's card; Ann's open page raises the badge, she accepts from it in place and the
// badge goes; her Deliver's confirmation and a form's error show next to the button, with and
// without scripts; she leaves (asked once), lands on the circle's landing page and joins
// again; Bob, removed, is told what to do.

func TestBrowserCardRequestsAndLeave(t *testing.T) {
	exe := chromiumPath(t)
	for _, lang := range []string{"en", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) { requestsJourney(t, exe, lang) })
	}
}

func requestsJourney(t *testing.T, exe, lang string) {
	words := journeyText[lang]
	s := newSite(t)
	sh := screenshotDir(t, lang)
	ctx := context.Background()
	_, circle := s.organizer(organizerPhone, circleForm(words.circle, "phone_prefixes", "+86138"))
	ann := s.joinByPage(circle, annPhone, words.ann)
	bob := s.joinByPage(circle, "+8613800000002", words.bob)
	ann.b.submit(ann.b.get("/me/card"), "/me/card", "display_name", words.ann, "title", words.title)

	// Bob asks for Ann's card while she has a page open: the badge comes by itself, counting it.
	a := s.chrome(t, exe, "ann", lang, byCookie, sh)
	a.adopt(ann.b)
	a.open("/me/circles")
	a.at("/me/circles", "#nav-requests")
	if a.text("#nav-requests") != "" {
		a.fail("a badge before any request: %q", a.text("#nav-requests"))
	}
	a.markPage()
	s.untilListening(1)
	view := bob.b.get(circlePath(circle.ID))
	if p := bob.b.submit(view, fmt.Sprintf("/circles/%d/members/%d/request", circle.ID, ann.user.ID)); p.status != 200 {
		t.Fatalf("Bob's request for Ann's card: %d at %s", p.status, p.path)
	}
	a.until("the badge", `document.querySelector("#nav-requests a .badge")`)
	a.stillMarked("the request arrived")
	if got, want := a.text("#nav-requests .badge"), "1"; got != want {
		a.fail("the badge says %q, want %q", got, want)
	}
	if label, _ := eval[string](a, `document.querySelector("#nav-requests a").getAttribute("aria-label")`); label != templates.T(lang, "nav.requests_label", 1) {
		a.fail("the badge's label is %q", label)
	}
	a.seen("badge")
	// The circle's page shows it near the top, from the circle's member; the badge leads to all.
	a.open(circlePath(circle.ID))
	a.at(circlePath(circle.ID), "#card-requests .request")
	if got := a.text("#card-requests"); !strings.Contains(got, words.bob) || !strings.Contains(got, templates.T(lang, "settings.asks")) {
		a.fail("the circle's requests read %q", got)
	}
	a.inView("#card-requests .request", "#card-requests h2")
	a.seen("circle-requests")
	a.click("#nav-requests a")
	a.at("/me/requests", `#card-requests form[action$="/accept#card-requests"]`)
	if got := a.text("#card-requests .request"); !strings.Contains(got, words.bob) {
		a.fail("the list does not show Bob's request: %q", got)
	}
	a.markPage()
	a.click(`#card-requests form[action$="/accept#card-requests"] button`)
	a.until("the answer in place", `document.querySelector("#card-requests .answer") && !document.querySelector("#nav-requests a")`)
	a.stillMarked("accepting the request")
	if got := a.text("#card-requests .answer"); got != templates.T(lang, "done.accepted") {
		a.fail("the answer says %q", got)
	}
	a.inView("#card-requests .answer", "#card-requests h1")
	a.seen("accepted")
	if holds, err := s.db.HoldsContact(ctx, bob.user.ID, ann.user.ID); err != nil || !holds {
		a.fail("Bob does not hold Ann's card after she accepted (%v)", err)
	}

	// Deliver on the circle's page: the confirmation shows next to the button, the page stays.
	deliver := fmt.Sprintf("#deliver-%d", bob.user.ID)
	a.open(circlePath(circle.ID))
	a.at(circlePath(circle.ID), deliver)
	a.markPage()
	a.click(deliver + " button")
	a.until("the delivery's confirmation", `document.querySelector("`+deliver+` .answer")`)
	a.stillMarked("delivering the card")
	a.inView(deliver+" .answer", deliver+" button")
	a.seen("delivered-in-place")

	// Without scripts the same form goes to the server and back to the button.
	a.scripts(false)
	a.open(circlePath(circle.ID))
	a.at(circlePath(circle.ID), deliver)
	a.click(deliver + " button")
	a.until("the confirmation after the redirect", `location.hash === "`+deliver+`" && document.querySelector("`+deliver+` .answer")`)
	a.inView(deliver+" .answer", deliver+" button")
	a.seen("delivered-without-scripts")
	// …and an error comes back in the form that caused it, at the form, what was typed kept.
	a.open("/settings")
	a.at("/settings", "#exclusion-add")
	a.fill("#phone", "12")
	a.click("#exclusion-add button")
	a.until("the error after the post", `location.hash === "#exclusion-add" && document.querySelector("#exclusion-add .error")`)
	a.inView("#exclusion-add .error", "#exclusion-add button")
	if got, _ := eval[string](a, `document.querySelector("#phone").value`); got != "12" {
		a.fail("the phone typed is gone: %q", got)
	}
	a.seen("error-without-scripts")
	a.scripts(true)

	// With scripts the same error shows in place.
	a.open("/settings")
	a.at("/settings", "#exclusion-add")
	a.markPage()
	a.fill("#phone", "12")
	a.click("#exclusion-add button")
	a.until("the error in place", `document.querySelector("#exclusion-add .error")`)
	a.stillMarked("the exclusion's error")
	a.inView("#exclusion-add .error", "#exclusion-add button")

	// Leave asks once, ends on the landing page, and Join takes Ann back in.
	a.open(circlePath(circle.ID))
	a.at(circlePath(circle.ID), "#leave summary")
	a.click("#leave summary")
	a.seen("leave-confirm")
	a.click("#leave button.danger")
	a.at("/c/"+circle.Code, "#left")
	if member, _ := s.db.IsMember(ctx, circle.ID, ann.user.ID); member {
		a.fail("still a member after leaving")
	}
	a.seen("left")
	a.click(`form[action$="/join"] button`)
	a.until("back in the circle", fmt.Sprintf(`location.pathname.startsWith(%q)`, circlePath(circle.ID)))
	if member, err := s.db.IsMember(ctx, circle.ID, ann.user.ID); err != nil || !member {
		a.fail("joining again did not make Ann a member (%v)", err)
	}
	a.seen("rejoined")

	// Bob, removed by the organizer, opening the circle is told what happened and what to do.
	if err := s.app.circles.Remove(ctx, circle.OwnerID, circle.ID, bob.user.ID); err != nil {
		t.Fatal(err)
	}
	b := s.chrome(t, exe, "bob", lang, byAcceptLanguage, sh)
	b.adopt(bob.b)
	b.open(circlePath(circle.ID))
	b.at(circlePath(circle.ID), ".next-steps #away-my-circles")
	if got := b.text("main"); !strings.Contains(got, templates.T(lang, "away.scan_again")) {
		b.fail("the removed member's page does not say how to come back: %q", got)
	}
	b.seen("removed")
	b.click("#away-my-circles")
	b.at("/me/circles", "main h1, main h2")
}

// untilListening waits until n pages hold the live event stream, so that what happens next
// reaches them.
func (s *site) untilListening(n int) {
	s.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for s.app.push.Subscribers() < n {
		if time.Now().After(deadline) {
			s.t.Fatalf("%d pages listen for live events, want %d", s.app.push.Subscribers(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inView fails unless the element msg is wholly within the screen (to a pixel, which fractional
// layout may round) and within 200 px of the element near (the control that caused it).
func (p *chromePerson) inView(msg, near string) {
	p.t.Helper()
	got, err := eval[string](p, fmt.Sprintf(`(() => {
		const m = document.querySelector(%q), n = document.querySelector(%q);
		if (!m || !n) return "missing";
		const a = m.getBoundingClientRect(), b = n.getBoundingClientRect();
		if (a.top < -1 || a.bottom > window.innerHeight + 1 || a.height === 0) return "outside the screen: " + a.top + ".." + a.bottom + " of " + window.innerHeight;
		const gap = Math.max(0, a.top - b.bottom, b.top - a.bottom);
		return gap > 200 ? "far from the control: " + gap + " px" : "";
	})()`, msg, near))
	if err != nil || got != "" {
		p.fail("%s next to %s: %s (%v)", msg, near, got, err)
	}
}

// seen saves a screenshot and, on a Chinese page, fails on any English sentence in it.
func (p *chromePerson) seen(name string) {
	p.t.Helper()
	p.shot(name)
	if p.lang != templates.Chinese {
		return
	}
	html, err := eval[string](p, `document.documentElement.outerHTML`)
	if err != nil {
		p.fail("reading the page: %v", err)
	}
	if en := templates.LatinSentences(html, "Hall 1"); len(en) > 0 { // the location the organizer typed
		p.fail("the Chinese page %s shows English: %q", name, en)
	}
}

// scripts turns the page's JavaScript on or off, as a browser without scripts would be.
func (p *chromePerson) scripts(on bool) {
	p.t.Helper()
	p.do(fmt.Sprintf("scripts on: %v", on), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}
