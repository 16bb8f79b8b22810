package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"qrcircles/authz"
	"qrcircles/storage/storagetest"
	"qrcircles/templates"
)

// zhWalk is a walk through the site in one language, Chinese unless lang says English: every
// page it is shown must be in that language only, but for the names and texts the walk itself
// typed (people, circles, places, apps, messages).
type zhWalk struct {
	t     *testing.T
	s     *site
	lang  string // templates.Chinese when empty
	names []string
	pages int
}

func (z *zhWalk) chinese() bool { return z.lang == "" || z.lang == templates.Chinese }

// browser is a new browser that chose the walk's language with the switcher.
func (z *zhWalk) browser() *browser {
	lang := templates.Chinese
	if !z.chinese() {
		lang = z.lang
	}
	b := z.s.browser()
	base, _ := url.Parse(z.s.base)
	b.client.Jar.SetCookies(base, []*http.Cookie{{Name: templates.LangCookie, Value: lang, Path: "/"}})
	return b
}

// check fails the test when p is not a page of the status in the walk's language, or shows
// the other language.
func (z *zhWalk) check(what string, p page, status int) {
	z.t.Helper()
	z.pages++
	if p.status != status {
		z.t.Errorf("%s: status %d at %s, want %d\n%s", what, p.status, p.path, status, p.body)
	}
	if !z.chinese() {
		z.checkEnglish(what, p)
		return
	}
	if !strings.Contains(p.body, `<html lang="zh-Hans">`) {
		z.t.Errorf("%s: not a Chinese page (%d at %s)\n%s", what, p.status, p.path, p.body)
	}
	for _, s := range templates.LatinSentences(p.body, z.names...) {
		z.t.Errorf("%s (%d at %s) shows English: %q", what, p.status, p.path, s)
	}
}

// checkEnglish: an English page shows no Chinese but the switcher's "中文" and what was typed.
func (z *zhWalk) checkEnglish(what string, p page) {
	z.t.Helper()
	if !strings.Contains(p.body, `<html lang="en">`) {
		z.t.Errorf("%s: not an English page (%d at %s)\n%s", what, p.status, p.path, p.body)
	}
	rest := strings.ReplaceAll(text(p), ">中文<", "><")
	for _, n := range z.names {
		rest = strings.ReplaceAll(rest, n, "")
	}
	if i := strings.IndexFunc(rest, func(r rune) bool { return unicode.Is(unicode.Han, r) }); i >= 0 {
		z.t.Errorf("%s (%d at %s) shows Chinese: %q", what, p.status, p.path, rest[max(i-60, 0):min(i+60, len(rest))])
	}
}

// inChinese is zh on a Chinese walk, else en.
func (z *zhWalk) inChinese(zh, en string) string {
	if z.chinese() {
		return zh
	}
	return en
}

// html is GET path as a browser asks for a page.
func (z *zhWalk) html(b *browser, path string) page {
	req, _ := http.NewRequest("GET", z.s.base+path, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	return b.do(req)
}

// submit posts the form of page from (its CSRF token) with the fields given as pairs.
func (z *zhWalk) submit(b *browser, from page, path string, pairs ...string) page {
	z.t.Helper()
	form := url.Values{"csrf": {from.field("csrf")}}
	for i := 0; i+1 < len(pairs); i += 2 {
		form.Set(pairs[i], pairs[i+1])
	}
	return b.post(path, form)
}

// TestEveryPageAndErrorInChinese walks every page and every error a person can meet with the
// language set to Chinese, signed out and in, as attendee, stranger and organizer, until the
// database goes away: no page shows an English sentence. Latin letters pass only as codes
// (QR, SMS, vCard), URLs and the names typed here.
func TestEveryPageAndErrorInChinese(t *testing.T) { walkEveryPage(t, templates.Chinese) }

// TestEveryPageAndErrorInEnglish is the same walk in English: no page shows Chinese.
func TestEveryPageAndErrorInEnglish(t *testing.T) { walkEveryPage(t, templates.English) }

func walkEveryPage(t *testing.T, lang string) {
	s := &site{t: t, sms: &smsLog{codes: map[string]string{}}}
	db, outage := storagetest.PostgresWithOutage(t)
	s.db = db
	s.app, s.base = serveApp(t, s.db, slog.New(s.sms))
	z := &zhWalk{t: t, s: s, lang: lang, names: []string{"Olga Organizer", "Ann Attendee", "Bo Member", "Cy Stranger", "Expo Night", "Hall 1",
		"Partner App", "CTO", "qrcircles migrate up", "sqlite", "postgres", "console", "migrations", "database", "live_events",
		"你好", "中"}}

	z.signedOut()
	org, circle := z.organizer()
	z.attendee(circle, "+8613800000002", "Bo Member")
	ann := z.attendee(circle, "+8613800000001", "Ann Attendee")
	z.stranger(circle)
	z.organizerErrors(org, circle)
	z.messagePages(ann, circle)
	z.attendeePages(ann, circle)
	z.waitingAndClosed(org, ann)
	z.consentAndLogout(ann)
	z.embedded(ann, circle)
	z.account()
	z.limits() // last: the network is then asked for proofs

	outage.Cut()
	for _, path := range []string{"/me/circles", circlePath(circle.ID), "/c/" + circle.Code} {
		z.check("during an outage "+path, org.get(path), http.StatusServiceUnavailable)
	}
	outage.Restore(t)
	if z.pages < 60 {
		t.Errorf("the walk saw only %d pages", z.pages)
	}
}

// signedOut: the pages anyone sees, and the sign-in's errors.
func (z *zhWalk) signedOut() {
	b := z.browser()
	z.check("home", b.get("/"), 200)
	login := b.get("/login")
	z.check("sign-in", login, 200)
	z.check("unknown circle", b.get("/c/NoSuchCode1"), 404)
	z.check("no such page", z.html(b, "/no/such/page"), 404)
	z.check("health page", z.html(b, "/health"), 200)
	z.check("embed of an unknown app", b.get("/embed/join?client_id=nobody&origin=https%3A%2F%2Fpartner.example"), 403)

	z.check("sign-in without a phone", z.submit(b, login, "/login", "phone", ""), 400)
	z.check("sign-in with a bad phone", z.submit(b, login, "/login", "phone", "12"), 400)
	z.check("sign-in with letters", z.submit(b, login, "/login", "phone", "call me"), 400)
	z.check("sign-in to a region not served", z.submit(b, login, "/login", "phone", "+14155550100"), 400)
	z.check("sign-in with an expired form", b.post("/login", url.Values{"csrf": {"stale"}, "phone": {"+8613900000009"}}), 403)

	code := z.submit(b, login, "/login", "phone", "+8613900000001")
	z.check("the code page", code, 200)
	again := func(c string) page {
		return z.submit(b, code, "/login/code", "c", code.field("c"), "return_to", code.field("return_to"), "code", c)
	}
	z.check("a wrong code", again("000000"), 400)
	z.check("a code of letters", again("abcdef"), 400)
	z.check("expired code form", b.post("/login/code", url.Values{"csrf": {"stale"}, "c": {code.field("c")}, "code": {"1"}}), 403)
	var last page
	for range 6 {
		last = again("000000")
	}
	z.check("too many wrong codes", last, last.status)
	again2 := z.submit(b, login, "/login", "phone", "+8613900000001")
	z.check("a new code at once", again2, again2.status)

	code = z.submit(b, login, "/login", "phone", "+8613900000003")
	if err := z.s.db.Gorm().Exec(`UPDATE otp_challenges SET expires_at = created_at`).Error; err != nil {
		z.t.Fatal(err) // every code sent so far has run out
	}
	z.check("an expired code", z.submit(b, code, "/login/code", "c", code.field("c"), "code", z.s.sms.code(z.t, "+8613900000003")), 410)

	code = z.submit(b, login, "/login", "phone", "+8613900000002")
	reg := z.submit(b, code, "/login/code", "c", code.field("c"), "code", z.s.sms.code(z.t, "+8613900000002"))
	z.check("register", reg, 200)
	used := z.submit(b, code, "/login/code", "c", code.field("c"), "code", z.s.sms.code(z.t, "+8613900000002"))
	z.check("a code used twice", used, used.status)
	z.check("register without a name", z.submit(b, reg, "/register", "return_to", reg.field("return_to"), "name", ""), 400)
	z.check("register with a long name", z.submit(b, reg, "/register", "return_to", reg.field("return_to"), "name", strings.Repeat("x", 101)), 400)
}

// organizer signs in in Chinese and makes a circle, showing its pages.
func (z *zhWalk) organizer() (*browser, circleRef) {
	b := z.browser()
	form := b.signIn(b.get("/circles/new"), "+8613700000000", "Olga Organizer")
	z.check("new circle form", form, 200)
	for _, bad := range [][]string{{"starts_at", "tomorrow"}, {"member_cap", "ten"}, {"phone_ranges", "+861-+862-+863"},
		{"user_id_ranges", "1..2..3"}, {"time_zone", ""}, {"title", strings.Repeat("x", 201)}, {"description", "1\x002"},
		{"phone_prefixes", "86138"}} {
		pairs := []string{"title", "Expo Night", "time_zone", "Asia/Shanghai", "mode", "rules", "location", "Hall 1", bad[0], bad[1]}
		z.check("new circle with a bad "+bad[0], z.submit(b, form, "/circles/new", pairs...), 400)
	}
	z.check("new circle, expired form", b.post("/circles/new", circleForm("Expo Night")), 403)
	manage := z.submit(b, form, "/circles/new", "title", "Expo Night", "time_zone", "Asia/Shanghai", "mode", "rules",
		"location", "Hall 1", "starts_at", "2026-05-01T19:30", "ends_at", "2026-05-01T21:00")
	z.check("manage", manage, 200)
	var id int64
	if _, err := fmt.Sscanf(manage.path, "/circles/%d/manage", &id); err != nil {
		z.t.Fatalf("creating the circle ended at %s", manage.path)
	}
	c, err := z.s.app.circles.Get(context.Background(), id)
	if err != nil {
		z.t.Fatal(err)
	}
	ref := circleRef{ID: c.ID, Code: c.Code}
	for _, path := range []string{"/me/circles", "/me/card", "/settings", "/account", "/app", "/circles/new",
		circlePath(id), "/c/" + c.Code, "/c/" + c.Code + "/poster", circlePath(id) + "/show"} {
		z.check(path, b.get(path), 200)
	}
	if p := b.get(circlePath(id)); !strings.Contains(text(p), z.inChinese("2026年5月1日 周五 19:30–21:00 (北京时间)", "Fri 1 May 2026 19:30–21:00 (Asia/Shanghai)")) {
		z.t.Errorf("the event's times are not one range in Beijing time:\n%s", p.body)
	}
	return b, ref
}

// circleRef is the circle the walk made.
type circleRef struct {
	ID   int64
	Code string
}

// attendee joins by scanning, in Chinese.
func (z *zhWalk) attendee(c circleRef, phone, name string) *browser {
	b := z.browser()
	landing := b.get("/c/" + c.Code)
	z.check("landing", landing, 200)
	z.check("join with an old page", z.submit(b, landing, "/c/"+c.Code+"/join", "ticket", "old"), 410)
	z.check("join with an expired form", b.post("/c/"+c.Code+"/join", url.Values{"csrf": {"stale"}, "ticket": {landing.field("ticket")}}), 403)
	p := b.signIn(z.submit(b, landing, "/c/"+c.Code+"/join", "ticket", landing.field("ticket")), phone, name)
	z.check("the circle after joining", p, 200)
	return b
}

// stranger is signed in but no member: the circle's pages refuse kindly.
func (z *zhWalk) stranger(c circleRef) {
	b := z.browser()
	b.signIn(b.get("/login"), "+8613600000001", "Cy Stranger")
	z.check("not a member", b.get(circlePath(c.ID)), 403)
	z.check("not the organizer", b.get(circlePath(c.ID)+"/manage"), 403)
	z.check("never asked", b.get(circlePath(c.ID)+"/status"), 404)
	z.check("no such circle", b.get("/circles/999999"), 404)
	z.check("no such page id", b.get("/circles/x"), 404)
	z.check("no such vCard", b.get(circlePath(c.ID)+"/members/1"), 404)
}

// organizerErrors: every form of the organizer's pages, wrong.
func (z *zhWalk) organizerErrors(b *browser, c circleRef) {
	manage := b.get(circlePath(c.ID) + "/manage")
	base := []string{"title", "Expo Night", "time_zone", "Asia/Shanghai", "mode", "rules", "location", "Hall 1", "status", "open"}
	z.check("rules with a bad window", z.submit(b, manage, circlePath(c.ID)+"/manage", append(base, "not_after", "soon")...), 400)
	z.check("rules with a bad prefix", z.submit(b, manage, circlePath(c.ID)+"/manage", append(base, "phone_prefixes", "86138")...), 400)
	z.check("an empty allowlist", z.submit(b, manage, circlePath(c.ID)+"/allowlist", "pasted", "none here"), 400)
	z.check("a bad expected attendance", z.submit(b, manage, circlePath(c.ID)+"/sms-budget", "expected", "lots"), 400)
	z.check("a bad filter", z.submit(b, manage, circlePath(c.ID)+"/bulk", "action", "approve", "from", "yesterday"), 400)
	z.check("a QR code too small", b.get(circlePath(c.ID)+"/qr.png?size=5"), 400)
	z.check("a long announcement", z.submit(b, manage, circlePath(c.ID)+"/announcements", "body", strings.Repeat("x", 2001)), 400)
	z.check("approve nobody", z.submit(b, manage, circlePath(c.ID)+"/requests/999999/approve"), 404)
	z.check("a saved notice", b.get(circlePath(c.ID)+"/manage?admitted=2"), 200)
}

// attendeePages: the attendee's card and settings forms, right and wrong.
func (z *zhWalk) attendeePages(b *browser, c circleRef) {
	card := b.get("/me/card")
	z.check("my card", card, 200)
	z.check("a card with a bad email", z.submit(b, card, "/me/card", "display_name", "Ann Attendee", "emails", "1234"), 400)
	z.check("a card with a bad phone", z.submit(b, card, "/me/card", "display_name", "Ann Attendee", "phones", "12"), 400)
	z.check("a card with a long name", z.submit(b, card, "/me/card", "display_name", strings.Repeat("x", 101)), 400)
	z.check("a card with a bad website", z.submit(b, card, "/me/card", "display_name", "Ann Attendee", "website", "ftp:x"), 400)
	z.check("a card saved", z.submit(b, card, "/me/card", "display_name", "Ann Attendee", "title", "CTO"), 200)
	z.check("a picture that is no file", z.submit(b, card, "/me/card/avatar"), 400)

	settings := b.get("/settings")
	z.check("a bad exclusion", z.submit(b, settings, "/settings/exclusions", "phone", "12"), 400)
	z.check("an exclusion", z.submit(b, settings, "/settings/exclusions", "phone", "+8613600000009"), 200)
	z.check("no visibility", z.submit(b, settings, "/settings/visibility", "mode", "?"), 400)
	z.check("no such setting", z.submit(b, settings, "/settings/privacy", "setting", "x", "value", "on"), 400)
	z.check("neither on nor off", z.submit(b, settings, "/settings/privacy", "setting", "refuse_cards", "value", "maybe"), 400)

	view := b.get(circlePath(c.ID))
	owner := z.memberID(view, "Bo Member")
	z.check("deliver a card", z.submit(b, view, fmt.Sprintf("%s/members/%s/deliver", circlePath(c.ID), owner)), 200)
	z.check("request a card", z.submit(b, view, fmt.Sprintf("%s/members/%s/request", circlePath(c.ID), owner)), 200)
	z.check("too large a form", b.post("/me/card", url.Values{"note": {strings.Repeat("x", 3<<20)}}), http.StatusRequestEntityTooLarge)
	z.check("a file where none is taken", b.postFile("/settings/privacy", map[string]string{"csrf": settings.field("csrf")}, "a.txt", "x"),
		http.StatusUnsupportedMediaType)

	z.check("card requests", b.get("/me/requests"), 200)
	welcome := b.get(circlePath(c.ID) + "/welcome")
	z.check("the welcome", welcome, 200)
	z.check("the welcome with a bad phone", z.submit(b, welcome, circlePath(c.ID)+"/welcome", "display_name", "Ann Attendee", "phones", "12"), 400)
	z.check("left", z.submit(b, view, circlePath(c.ID)+"/leave"), 200)
	z.check("no longer a member", b.get(circlePath(c.ID)), 403)
	z.check("signed out at a circle", z.browser().get(circlePath(c.ID)+"/members.vcf"), 200)
}

// memberID is the user ID of the member named name on a circle page.
func (z *zhWalk) memberID(p page, name string) string {
	i := strings.Index(p.body, name)
	j := strings.LastIndex(p.body[:max(i, 0)], `id="member-`)
	if i < 0 || j < 0 {
		z.t.Fatalf("no member %s on the page:\n%s", name, p.body)
	}
	id, _, _ := strings.Cut(p.body[j+len(`id="member-`):], `"`)
	return id
}

// waitingAndClosed: a request that waits and is declined, and a circle that closes.
func (z *zhWalk) waitingAndClosed(org, ann *browser) {
	form := org.get("/circles/new")
	manage := z.submit(org, form, "/circles/new", "title", "Expo Night", "time_zone", "Asia/Kathmandu", "mode", "rules",
		"phone_prefixes", "+86137", "not_before", "2020-01-01T00:00", "not_after", "2020-01-02T00:00")
	var id int64
	if _, err := fmt.Sscanf(manage.path, "/circles/%d/manage", &id); err != nil {
		z.t.Fatalf("creating the second circle ended at %s", manage.path)
	}
	c, err := z.s.app.circles.Get(context.Background(), id)
	if err != nil {
		z.t.Fatal(err)
	}
	landing := ann.get("/c/" + c.Code)
	z.check("landing after the window", landing, 200)
	if !strings.Contains(text(landing), z.inChinese("UTC+05:45", "(Asia/Kathmandu)")) {
		z.t.Errorf("a zone without a Chinese name should show its offset:\n%s", landing.body)
	}
	z.check("waiting", z.submit(ann, landing, "/c/"+c.Code+"/join", "ticket", landing.field("ticket")), 200)
	manage = org.get(circlePath(id) + "/manage")
	z.check("the queue", manage, 200)
	z.check("decline all", z.submit(org, manage, circlePath(id)+"/bulk", "action", "deny"), 200)
	z.check("declined", ann.get(circlePath(id)+"/status"), 200)
	z.check("the queue with a declined request", org.get(circlePath(id)+"/manage"), 200)
	z.check("closed", z.submit(org, manage, circlePath(id)+"/manage", "title", "Expo Night", "time_zone", "Asia/Kathmandu",
		"mode", "rules", "status", "closed"), 200)
	landing = ann.get("/c/" + c.Code)
	z.check("the landing of a closed circle", landing, landing.status)

	manage = z.submit(org, form, "/circles/new", "title", "Expo Night", "time_zone", "Asia/Shanghai", "mode", "rules", "on_site", "refuse")
	if _, err := fmt.Sscanf(manage.path, "/circles/%d/manage", &id); err != nil {
		z.t.Fatalf("creating the on-site circle ended at %s", manage.path)
	}
	if c, err = z.s.app.circles.Get(context.Background(), id); err != nil {
		z.t.Fatal(err)
	}
	landing = ann.get("/c/" + c.Code)
	z.check("the landing of an on-site circle, scanned from a photo", landing, 200)
	joined := z.submit(ann, landing, "/c/"+c.Code+"/join", "ticket", landing.field("ticket"))
	z.check("joining an on-site circle from a photo", joined, joined.status)
	z.check("the projector view", org.get(circlePath(id)+"/show"), 200)
}

// consentAndLogout: an app asks for access, and to sign the person out.
func (z *zhWalk) consentAndLogout(b *browser) {
	partner, _, err := z.s.app.authz.Clients().Create(context.Background(), authz.ClientSpec{Name: "Partner App", Public: true,
		RedirectURIs: []string{"http://127.0.0.1/cb"}, Scopes: []string{"circles:read", "cards:read"},
		Grants: []string{authz.GrantAuthorizationCode}}, time.Now())
	if err != nil {
		z.t.Fatal(err)
	}
	q := url.Values{"client_id": {partner.ID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1/cb"},
		"scope": {"circles:read cards:read"}, "state": {"state-12345678"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	z.check("consent", b.get("/oauth2/auth?"+q.Encode()), 200)
	z.check("a bad sign-out link", b.get("/oauth2/logout?post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"), 400)
	z.check("sign-out asked by an app", b.get("/oauth2/logout?client_id="+partner.ID), 200)
}

// embedded: the "Join with QR Circles" popup of a partner's page, and its last page.
func (z *zhWalk) embedded(b *browser, c circleRef) {
	const origin = "https://tickets.example"
	client := embedClient(z.t, z.s, origin)
	z.names = append(z.names, embedPartnerName)
	z.check("the partner's popup", b.get(embedQuery(client.ID, c.Code, origin)), 200)
	done := b.embedJoinHTTP(client.ID, c.Code, origin)
	z.check("the popup's last page", done, 200)
	if !strings.HasPrefix(done.path, "/embed/done") {
		z.t.Errorf("the popup ended at %s, not its last page", done.path)
	}
}

// limits: a network that asks for many codes is asked for a proof of work, not refused.
func (z *zhWalk) limits() {
	b := z.browser()
	login := b.get("/login")
	var p page
	for i := range 30 {
		p = z.submit(b, login, "/login", "phone", fmt.Sprintf("+86135%08d", i))
		if strings.Contains(p.body, "altcha") {
			break
		}
	}
	z.check("the proof of work", p, p.status)
	z.check("a proof that does not hold", z.submit(b, p, "/login", "phone", "+8613599999999", "altcha", "bm9wZQ=="), 400)
}

// account: the account page, its deletion refused and done.
func (z *zhWalk) account() {
	b := z.browser()
	b.signIn(b.get("/login"), "+8613400000001", "Ann Attendee")
	acct := b.get("/account")
	z.check("account", acct, 200)
	z.check("delete unconfirmed", z.submit(b, acct, "/account/delete"), 400)
	z.check("delete, expired form", b.post("/account/delete", url.Values{"csrf": {"stale"}, "confirm": {"yes"}}), 403)
	z.check("deleted", z.submit(b, acct, "/account/delete", "confirm", "yes"), 200)
}
