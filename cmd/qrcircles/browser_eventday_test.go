package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"qrcircles/authz"
	"qrcircles/resource/admission"
	"qrcircles/storage"
)

// The organizer's event day in real headless Chromium on a 360-px screen, once per language:
// the queue names the rule and the value that failed (prefix, range, allowlist, window, cap);
// deny asks once and can be re-opened; approve; approve-all by filter; an announcement reaches
// a member's open page live; a member is removed; the projector's code changes with the slot,
// and a scan of an expired slot waits with the on-site reason while a current one is admitted.

func TestBrowserEventDay(t *testing.T) {
	exe := chromiumPath(t)
	for _, lang := range []string{"en", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) { eventDay(t, exe, lang) })
	}
}

// eventDayWords are the sentences the organizer must read, in each language.
var eventDayWords = map[string]struct {
	prefix, phoneRange, allowlist, window, full, onSite, welcome, announcement string
}{
	"en": {"Phone +86 139 •••• 0002 is outside the prefix +86 138", "is outside the range +86 13600000000 – +86 13600000099",
		"Not on the allowlist", "after the window closed at", "The circle is full (4 of 4)", "Not scanned on site",
		"Welcome", "Doors open at nine"},
	"zh-Hans": {"手机号 +86 139 •••• 0002 不在号段 +86 138 内", "不在号码范围 +86 13600000000 – +86 13600000099 内",
		"不在邀请名单中", "晚于扫码时限结束时间", "圈子已满（4/4 人）", "非现场扫码", "欢迎", "九点开门"},
}

func eventDay(t *testing.T, exe, lang string) {
	words := eventDayWords[lang]
	s := newSite(t)
	sh := screenshotDir(t, lang)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	closed := time.Now().In(shanghai).Add(-time.Hour).Format("2006-01-02T15:04")

	// The organizer, signed in without a browser window, makes the two circles.
	org, rules := s.organizer("+8613700000000", circleForm("Expo", "phone_prefixes", "+86138",
		"phone_ranges", "+8613600000000..+8613600000099", "member_cap", "4", "not_after", closed))
	m := org.get(circlePath(rules.ID) + "/manage")
	if p := org.post(circlePath(rules.ID)+"/allowlist", url.Values{"csrf": {m.field("csrf")}, "allowlist": {"+8613500000000"}}); p.status != 200 {
		t.Fatalf("allowlist: %d %s", p.status, p.path)
	}
	onSite := s.createCircle(org, circleForm("Keynote", "mode", "open", "on_site", "review"))

	// The projector shows the on-site circle's rotating code from the start.
	projector := s.chrome(t, exe, "projector", lang, byAcceptLanguage, sh)
	projector.adopt(org)
	projector.open(circlePath(onSite.ID) + "/show")
	projector.at(circlePath(onSite.ID)+"/show", "#show-qr svg")
	firstCode, _ := eval[string](projector, `document.querySelector("#show-qr").dataset.url`)
	if !strings.HasPrefix(firstCode, s.base+"/c/"+onSite.Code+"?s=") {
		projector.fail("the projector's code %q carries no slot token", firstCode)
	}
	projector.shot("projector")

	// Applicants scan the rules circle; the window has closed, so all of them wait.
	ann := s.applicant(rules, "+8613800000001", "Ann")
	s.applicant(rules, "+8613900000002", "Bo")
	s.applicant(rules, "+8613800000003", "Cy")
	s.applicant(rules, "+8613800000004", "Di")
	s.approveByName(org, rules, "Ann")

	// The organizer reads every failed rule of Bo's request, with the value.
	o := s.chrome(t, exe, "organizer", lang, byAcceptLanguage, sh)
	o.adopt(org)
	manage := circlePath(rules.ID) + "/manage"
	o.open(manage)
	o.at(manage, "#queue .request")
	bo := o.requestOf("#queue", "Bo")
	text := o.text("#" + bo)
	for _, want := range []string{words.prefix, words.phoneRange, words.allowlist, words.window} {
		if !strings.Contains(text, want) {
			o.fail("Bo's reasons %q lack %q", text, want)
		}
	}
	o.scrollTo("#queue")
	o.shot("queue-reasons")
	o.tapTargets()

	// Deny asks once; the request moves to Declined, is re-opened, then approved.
	o.click("#" + bo + " details.confirm summary")
	o.shot("deny-confirm")
	o.click("#" + bo + " details.confirm button.danger")
	o.until("Bo declined", `location.search.includes("done=declined") && document.querySelector("#declined")`)
	declined := o.requestOf("#queue", "Bo")
	if !strings.HasPrefix(declined, "declined-") {
		o.fail("Bo is not in the Declined list (%s)", declined)
	}
	o.click("#" + declined + ` form[action$="/reopen"] button`)
	o.until("Bo re-opened", `location.search.includes("done=reopened") && !document.querySelector("#declined")`)
	o.click("#" + o.requestOf("#queue", "Bo") + ` form[action$="/approve"] button`)
	o.until("Bo approved", `location.search.includes("done=approved")`)

	// Approve-all for the requests the filter picks: those scanned after the window.
	o.click("details.filter summary")
	o.choose("#f-reason", "scan_after_window")
	o.click(`details.filter button[type=submit]`)
	o.until("the filtered queue", `location.search.includes("reason=scan_after_window") && document.querySelector("#approve-all")`)
	o.click("#approve-all")
	o.until("both approved", `location.search.includes("done=bulk_approved") && location.search.includes("n=2")`)
	if got := o.text("#counts"); !strings.Contains(got, "4") {
		o.fail("after approve-all the counts read %q, want 4 members", got)
	}

	// The circle is now full: its landing page says so, the next applicant waits, and the
	// organizer reads why, live.
	if p := s.browser().get("/c/" + rules.Code); !strings.Contains(p.body, `id="full"`) {
		t.Fatalf("the landing page of a full circle does not say it is full:\n%s", p.body)
	}
	o.markPage()
	s.applicant(rules, "+8613800000005", "Ed")
	o.until("Ed in the queue", `document.querySelector("#queue").innerText.includes("Ed")`)
	o.stillMarked("Ed arrived")
	if got := o.text("#" + o.requestOf("#queue", "Ed")); !strings.Contains(got, words.full) {
		o.fail("Ed's reasons %q lack %q", got, words.full)
	}
	o.scrollTo("#funnel")
	o.shot("funnel")

	// An announcement reaches a member's open page live.
	member := s.chrome(t, exe, "member", lang, byCookie, sh)
	member.adopt(ann)
	member.open(circlePath(rules.ID))
	member.at(circlePath(rules.ID), "#members")
	member.markPage()
	o.open(circlePath(rules.ID))
	o.at(circlePath(rules.ID), "#announce-body")
	o.fill("#announce-body", words.announcement)
	o.click(`form.announce button[type=submit]`)
	member.until("the announcement", fmt.Sprintf(`document.querySelector("#announcements") && document.querySelector("#announcements").innerText.includes(%q)`, words.announcement))
	member.stillMarked("the announcement arrived")
	member.shot("announcement-live")

	// The organizer removes a member, after confirming.
	o.open(manage + "?q=Di")
	o.at(manage, "#members")
	o.click("#members details.confirm summary")
	o.click("#members details.confirm button.danger")
	o.until("Di removed", `location.search.includes("done=removed") && !document.querySelector("#members").innerText.includes("Di")`)

	// The projector's code changed with the slot; a scan of its current code is on site and
	// admitted, a scan of an expired slot's code waits with the on-site reason.
	projector.untilWithin(35*time.Second, "the next slot's code", fmt.Sprintf(`document.querySelector("#show-qr").dataset.url !== %q`, firstCode))
	current, _ := eval[string](projector, `document.querySelector("#show-qr").dataset.url`)
	if p := s.scanURL(current, "+8613800000006", "Flo"); p.path != circlePath(onSite.ID)+"/welcome" {
		t.Fatalf("a scan of the current code ended at %s, want the circle", p.path)
	}
	key := authz.DeriveKey([]byte(testSecret), "on-site-slot")
	expired := admission.SlotToken(key, onSite.Code, admission.Slot(time.Now())-2)
	if p := s.scanURL(s.base+"/c/"+onSite.Code+"?s="+expired, "+8613800000007", "Gus"); p.path != circlePath(onSite.ID)+"/status" {
		t.Fatalf("a scan of an expired code ended at %s, want the status page", p.path)
	}
	o.open(circlePath(onSite.ID) + "/manage")
	o.at(circlePath(onSite.ID)+"/manage", "#queue .request")
	if got := o.text("#" + o.requestOf("#queue", "Gus")); !strings.Contains(got, words.onSite) {
		o.fail("Gus's reasons %q lack %q", got, words.onSite)
	}
	projector.until("the joiner greeted", `document.querySelector(".show-latest") && document.querySelector(".show-latest").innerText.includes("Flo")`)
	projector.shot("projector-joined")
}

// tapTargets fails when a download or action on the page is shorter than 44 px.
func (p *chromePerson) tapTargets() {
	p.t.Helper()
	small, err := eval[string](p, `[...document.querySelectorAll("main a[download], main a.button, main button, main summary")]
		.filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
		.map(e => e.outerHTML.slice(0, 80)).join("\n")`)
	if err != nil || small != "" {
		p.fail("tap targets under 44 px (%v):\n%s", err, small)
	}
}

// adopt gives the browser the signed-in session of b (cookies of the site).
func (p *chromePerson) adopt(b *browser) {
	p.t.Helper()
	u, _ := url.Parse(p.base + "/")
	for _, c := range b.client.Jar.Cookies(u) {
		p.do("adopt cookie "+c.Name, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value, URL: p.base + "/"})
			return err
		}))
	}
}

// requestOf is the element id of the request of the person named name inside sel, once the
// page shows it.
func (p *chromePerson) requestOf(sel, name string) string {
	p.t.Helper()
	find := fmt.Sprintf(`([...document.querySelectorAll(%q + " .request")].find(e => e.querySelector("strong").innerText === %q) || {}).id || ""`, sel, name)
	p.until("the request of "+name+" in "+sel, find) // the page may still be loading
	id, err := eval[string](p, find)
	if err != nil || id == "" {
		p.fail("no request of %s in %s (%v)", name, sel, err)
	}
	return id
}

// untilWithin is until with its own time limit, for a wait longer than one step.
func (p *chromePerson) untilWithin(d time.Duration, what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := eval[bool](p, "!!("+cond+")")
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.fail("waited %v for %s; last error %v", d, what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// applicant is a new person who scans the circle's code and signs in, in a plain browser.
func (s *site) applicant(c storage.Circle, phone, name string) *browser {
	s.t.Helper()
	b := s.browser()
	b.signIn(b.scan(c), phone, name)
	return b
}

// scanURL opens a QR code's URL in a new person's browser, joins and signs in.
func (s *site) scanURL(qr, phone, name string) page {
	s.t.Helper()
	b := s.browser()
	u, err := url.Parse(qr)
	if err != nil {
		s.t.Fatal(err)
	}
	p := b.get(u.RequestURI())
	form := url.Values{"csrf": {p.field("csrf")}, "ticket": {p.field("ticket")}}
	if v := p.field("onsite"); v != "" {
		form.Set("onsite", v)
	}
	return b.signIn(b.post(u.Path+"/join", form), phone, name)
}

// createCircle makes another circle with the organizer's browser.
func (s *site) createCircle(org *browser, form url.Values) storage.Circle {
	s.t.Helper()
	form.Set("csrf", org.get("/circles/new").field("csrf"))
	p := org.post("/circles/new", form)
	var id int64
	if _, err := fmt.Sscanf(p.path, "/circles/%d/manage", &id); err != nil {
		s.t.Fatalf("creating a circle ended at %s (%d)", p.path, p.status)
	}
	c, err := s.app.circles.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// approveByName approves the waiting request of the person named name, as the organizer.
func (s *site) approveByName(org *browser, c storage.Circle, name string) {
	s.t.Helper()
	m := org.get(circlePath(c.ID) + "/manage")
	re := regexp.MustCompile(`<strong>` + regexp.QuoteMeta(name) + `</strong>[\s\S]*?action="(/circles/\d+/requests/\d+/approve)"`)
	a := re.FindStringSubmatch(m.body)
	if a == nil {
		s.t.Fatalf("no request of %s to approve", name)
	}
	if p := org.post(a[1], url.Values{"csrf": {m.field("csrf")}}); p.status != 200 {
		s.t.Fatalf("approving %s: %d", name, p.status)
	}
}
