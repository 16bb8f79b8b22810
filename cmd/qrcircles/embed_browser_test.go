package main

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"qrcircles/authz"
	"qrcircles/storage"
)

// The "Join with QR Circles" button in real headless Chromium: a partner's page on another
// origin carries the one script tag; the popup signs the person in and joins; the result
// reaches the partner's page, and only it.

const embedPartnerName = "Partner Tickets"

// partnerSite serves one of the test pages of testdata on its own origin.
func partnerSite(t *testing.T, file string, data map[string]string) *httptest.Server {
	t.Helper()
	tpl := template.Must(template.ParseFiles("testdata/" + file))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := tpl.Execute(w, data); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// embedClient registers a partner client whose pages at origins may embed the button.
func embedClient(t *testing.T, s *site, origins ...string) *storage.OAuthClient {
	t.Helper()
	issuer, _ := url.Parse(s.base)
	c, _, err := authz.NewClients(s.db, make([]byte, 32), issuer).Create(context.Background(), authz.ClientSpec{
		Name: embedPartnerName, RedirectURIs: []string{origins[0] + "/callback"}, Public: true,
		Scopes: []string{"openid", "circles:join"}, Grants: []string{authz.GrantAuthorizationCode}, WebOrigins: origins,
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// popup waits for the window the click opens and returns it as a person of its own.
func (p *chromePerson) popup(who string, click func()) *chromePerson {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	ch := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return strings.Contains(i.URL, "/embed/join") })
	click()
	select {
	case id := <-ch:
		pctx, pcancel := chromedp.NewContext(p.ctx, chromedp.WithTargetID(id))
		p.t.Cleanup(pcancel)
		// The first call attaches to the window; like the browser's start, it must not carry a
		// timeout, or the attachment ends with it.
		if err := chromedp.Do(pctx); err != nil {
			p.fail("attaching to the popup: %v", err)
		}
		return &chromePerson{t: p.t, who: who, ctx: pctx, base: p.base, lang: p.lang, shots: p.shots}
	case <-ctx.Done():
		p.fail("no popup opened")
		return nil
	}
}

func TestEmbeddedJoinButton(t *testing.T) {
	exe := chromiumPath(t)
	for _, lang := range []string{"en", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) { embeddedJoin(t, exe, lang) })
	}
}

var embedWords = map[string]struct{ join, joined string }{
	"en":      {"Join with QR Circles", "Joined on QR Circles ✓"},
	"zh-Hans": {"用二维码好友圈加入", "已加入二维码好友圈 ✓"},
}

func embeddedJoin(t *testing.T, exe, lang string) {
	s := newSite(t)
	sh := screenshotDir(t, "embed-"+lang)
	start, last := time.Now(), time.Now()
	step := func(name string) {
		t.Logf("%-44s %6.2fs (total %5.2fs)", name, time.Since(last).Seconds(), time.Since(start).Seconds())
		last = time.Now()
	}
	_, circle := s.organizer(organizerPhone, circleForm("Launch party", "phone_prefixes", "+86138"))
	data := map[string]string{"Server": s.base, "Circle": circle.Code, "Lang": lang}
	partner := partnerSite(t, "partner-page.html", data)
	client := embedClient(t, s, partner.URL)
	data["ClientID"], data["PartnerOrigin"] = client.ID, partner.URL
	evil := partnerSite(t, "evil-page.html", data)
	if partner.URL == evil.URL || !strings.HasPrefix(partner.URL, "http://127.0.0.1:") {
		t.Fatalf("the partner page %s and the other site %s need origins of their own", partner.URL, evil.URL)
	}

	// The visitor opens the partner's page: the script tag drew the button in the page's language.
	ann := s.chrome(t, exe, "visitor", lang, byCookie, sh)
	ann.do("open the partner's page", chromedp.Navigate(partner.URL))
	ann.until("the button", `document.querySelector("button.qrcircles-join")`)
	if got := ann.text("button.qrcircles-join"); got != embedWords[lang].join {
		ann.fail("the button says %q, want %q", got, embedWords[lang].join)
	}
	ann.shot("partner-page")
	step("the partner page shows the button")

	// The popup is the circle's page on QR Circles, naming the site that asked; Join goes
	// through the ordinary sign-in.
	pop := ann.popup("popup", func() { ann.click("button.qrcircles-join") })
	pop.at("/embed/join", `form[action="/embed/join"] button`)
	if via := pop.text("#via"); !strings.Contains(via, embedPartnerName) || !strings.Contains(via, partner.URL) {
		pop.fail("the popup does not say who asked: %q", via)
	}
	pop.shot("popup-landing")
	pop.click(`form[action="/embed/join"] button`)
	pop.signIn(s, annPhone, "Ann Lee", false)
	pop.at("/embed/done", `#embed-result[data-posted="true"]`)
	pop.shot("popup-done")
	step("signed in and joined in the popup")

	// The partner's page has the result, and the person is a member.
	ann.until("the result on the partner's page", `document.querySelector("#result").textContent !== ""`)
	var got struct {
		Type, Status string
		Circle       struct{ Code, Title, URL string }
	}
	raw := ann.text("#result")
	if err := json.Unmarshal([]byte(raw), &got); err != nil || got.Type != "qrcircles:join" || got.Status != "joined" ||
		got.Circle.Code != circle.Code || got.Circle.URL != s.base+"/c/"+circle.Code {
		ann.fail("the partner's page got %s (%v)", raw, err)
	}
	if strings.Contains(raw, annPhone) || strings.Contains(raw, "Ann") {
		ann.fail("the result names the person: %s", raw)
	}
	if b := ann.text("button.qrcircles-join"); b != embedWords[lang].joined {
		ann.fail("after joining the button says %q, want %q", b, embedWords[lang].joined)
	}
	ann.shot("partner-joined")
	pop.closeByButton("#embed-close")
	time.Sleep(time.Second) // the button checks for a closed popup twice a second
	if st, _ := eval[string](ann, `document.querySelector("button.qrcircles-join").getAttribute("data-status")`); st != "joined" {
		ann.fail("closing the popup after the result turned the button to %q", st)
	}
	step("the partner page has the result")
	u := ensureUser(t, s.db, annPhone, "Ann Lee")
	if ok, err := s.db.IsMember(context.Background(), circle.ID, u.ID); err != nil || !ok {
		t.Fatalf("the popup said joined, but the person is not a member (%v)", err)
	}

	// Another site opens the popup itself and claims the partner's origin. The person (signed
	// in) presses Join and the popup posts the result, but to the partner's origin: the
	// browser delivers nothing to the other site.
	ann.do("open another site", chromedp.Navigate(evil.URL))
	ann.until("the other site", `document.querySelector("#pretend")`)
	spy := ann.popup("popup-other", func() { ann.click("#pretend") })
	spy.at("/embed/join", `form[action="/embed/join"] button`)
	spy.click(`form[action="/embed/join"] button`)
	spy.at("/embed/done", `#embed-result[data-posted="true"]`)
	// postMessage queues its delivery as a task; give it time to arrive, were it to.
	time.Sleep(time.Second)
	if m := ann.text("#got"); m != "" {
		ann.fail("another site received the result: %s", m)
	}
	step("another site claiming the origin got nothing")

	// The button on a site the client did not register opens a popup that refuses, and closing
	// that popup reports "cancelled".
	ann.until("the other site's button", `document.querySelector("button.qrcircles-join")`)
	refused := ann.popup("popup-refused", func() { ann.click("button.qrcircles-join") })
	refused.until("the refusal", `location.pathname === "/embed/join" && document.querySelector("main .error, main [role=alert]")`)
	if msg := refused.text("main .error"); msg == "" || strings.Contains(msg, circle.Title) {
		refused.fail("the refusal page says %q", msg)
	}
	refused.shot("popup-refused")
	if _, err := eval[bool](refused, `(window.close(), true)`); err != nil {
		t.Logf("closing the popup: %v", err) // the page may go before the answer comes back
	}
	ann.until("the cancelled button", `document.querySelector("button.qrcircles-join").getAttribute("data-status") === "cancelled"`)
	if m := ann.text("#got"); m != "" {
		ann.fail("the other site received a message: %s", m)
	}
	step("an unregistered site is refused")
}

// closeByButton clicks a button that closes the window it is in, and waits until the window
// is gone. The window may go before the click's answer comes back, so the click's error says
// nothing; the window still being there does.
func (p *chromePerson) closeByButton(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	id := chromedp.FromContext(p.ctx).Target.TargetID
	_ = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	for {
		ts, err := chromedp.Targets(p.ctx)
		if err == nil && !slices.ContainsFunc(ts, func(i *target.Info) bool { return i.TargetID == id }) {
			return
		}
		if ctx.Err() != nil {
			p.fail("the window is still open after clicking %s (%v)", sel, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
