package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"qrcircles"

	"qrcircles/resource/cards"
	"qrcircles/storage"
)

// The pages of cards, settings and live updates, driven like a browser without scripts,
// checked against the database.

// pagesMember is someone who joined the circle through the pages.
type pagesMember struct {
	b    *browser
	user storage.User
}

// joinByPage scans the circle's code in a new browser, signing in (registering name).
func (s *site) joinByPage(c storage.Circle, phone, name string) pagesMember {
	s.t.Helper()
	b := s.browser()
	if p := b.signIn(b.scan(c), phone, name); p.path != circlePath(c.ID)+"/welcome" {
		s.t.Fatalf("%s joining: at %s (%d)\n%s", name, p.path, p.status, p.body)
	}
	u, err := s.db.UserByPhone(context.Background(), phone)
	if err != nil {
		s.t.Fatal(err)
	}
	return pagesMember{b, u}
}

func circlePath(id int64) string { return fmt.Sprintf("/circles/%d", id) }

// submit posts a form of page from with its CSRF token and the fields given as pairs.
func (b *browser) submit(from page, action string, pairs ...string) page {
	b.s.t.Helper()
	form := url.Values{"csrf": {from.field("csrf")}}
	for i := 0; i+1 < len(pairs); i += 2 {
		form.Add(pairs[i], pairs[i+1])
	}
	return b.post(action, form)
}

func text(p page) string { return html.UnescapeString(p.body) }

func TestPagesSettingsChangeEachSetting(t *testing.T) {
	s := newSite(t)
	_, circle := s.organizer("+8613700000000", circleForm("Expo"))
	ann := s.joinByPage(circle, "+8613800000001", "Ann")
	ctx, id := context.Background(), ann.user.ID

	form := ann.b.get("/settings")
	if form.status != 200 || !strings.Contains(form.body, "Expo") || form.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("settings: %d %v\n%s", form.status, form.header, form.body)
	}
	saved := func(p page, section string) {
		t.Helper()
		if p.status != 200 || p.path != "/settings?done=saved" || !strings.Contains(text(p), "Saved.") {
			t.Fatalf("%s: at %s (%d)\n%s", section, p.path, p.status, p.body)
		}
	}

	saved(ann.b.submit(form, "/settings/visibility", "mode", "custom", "fields", "title", "fields", "phones"), "default visibility")
	if st, _ := s.db.CardSettings(ctx, id); st.Default != cards.FieldSet(cards.DisplayName|cards.Title|cards.Phones) {
		t.Fatalf("default is %v", st.Default)
	}
	if p := ann.b.submit(form, "/settings/visibility", "mode", "custom", "fields", "salary"); p.status != 400 || !strings.Contains(text(p), `"salary" is not a card field`) {
		t.Fatalf("bad field: %d\n%s", p.status, p.body)
	}
	circleVis := fmt.Sprintf("/settings/circles/%d/visibility", circle.ID)
	saved(ann.b.submit(form, circleVis, "mode", "all"), "circle visibility")
	if st, _ := s.db.CardSettings(ctx, id); st.Circles[circle.ID] != cards.All {
		t.Fatalf("circle shows %v", st.Circles)
	}
	saved(ann.b.submit(form, circleVis, "mode", "default"), "circle back to the default")
	if st, _ := s.db.CardSettings(ctx, id); len(st.Circles) != 0 {
		t.Fatalf("circle still has its own choice: %v", st.Circles)
	}

	privacy := func(setting, value string) storage.UserPrivacy {
		t.Helper()
		saved(ann.b.submit(form, "/settings/privacy", "setting", setting, "value", value), setting)
		p, _ := s.db.PrivacyOf(ctx, id)
		return p
	}
	if p := privacy("refuse_cards", "on"); !p.RefuseStrangerCards || p.BlockStrangerMessages {
		t.Fatalf("refuse cards: %+v", p)
	}
	if p := privacy("block_messages", "on"); !p.RefuseStrangerCards || !p.BlockStrangerMessages {
		t.Fatalf("block messages: %+v", p)
	}
	if p := privacy("refuse_cards", "off"); p.RefuseStrangerCards || !p.BlockStrangerMessages {
		t.Fatalf("refuse cards off: %+v", p)
	}
	privacy("refuse_all", "on")
	if refuse, _ := s.db.RefusesAllCircles(ctx, id); !refuse {
		t.Fatal("refuse all circles was not saved")
	}
	if p := ann.b.get("/settings"); !strings.Contains(text(p), "Refuse all circles</strong>: on") {
		t.Fatalf("the page does not show the setting on:\n%s", p.body)
	}
	privacy("refuse_all", "off")
	if refuse, _ := s.db.RefusesAllCircles(ctx, id); refuse {
		t.Fatal("refuse all circles stayed on")
	}
	// Both changes are audited, as the API's are.
	es, err := s.db.AuditLog(ctx, storage.AuditQuery{Action: qrcircles.AuditSettingsChange, ActorID: id})
	if err != nil || len(es) != 2 || es[0].Detail != `{"refuse_all_circles":"false"}` || es[1].Detail != `{"refuse_all_circles":"true"}` {
		t.Fatalf("audit entries %+v %v", es, err)
	}

	mute := fmt.Sprintf("/settings/circles/%d/mute", circle.ID)
	saved(ann.b.submit(form, mute, "muted", "on"), "mute")
	if m, _ := s.db.Muted(ctx, id, circle.ID); !m {
		t.Fatal("not muted")
	}
	saved(ann.b.submit(form, mute, "muted", "off"), "unmute")
	if m, _ := s.db.Muted(ctx, id, circle.ID); m {
		t.Fatal("still muted")
	}

	if p := ann.b.submit(form, "/settings/exclusions", "phone", "not a phone"); p.status != 400 || p.field("phone") != "not a phone" || !strings.Contains(text(p), "Phone: ") {
		t.Fatalf("bad exclusion: %d\n%s", p.status, p.body)
	}
	saved(ann.b.submit(form, "/settings/exclusions", "phone", "+86 139 0000 0077"), "exclusion")
	xs, _ := s.db.Exclusions(ctx, id)
	if len(xs) != 1 || xs[0].OtherPhone != "+8613900000077" {
		t.Fatalf("exclusions: %+v", xs)
	}
	saved(ann.b.submit(form, fmt.Sprintf("/settings/exclusions/%d/delete", xs[0].ID)), "exclusion removed")
	if xs, _ := s.db.Exclusions(ctx, id); len(xs) != 0 {
		t.Fatalf("exclusion kept: %+v", xs)
	}

	if p := ann.b.post(fmt.Sprintf("/circles/%d/leave", circle.ID), url.Values{"csrf": {"forged"}}); p.status != 403 {
		t.Fatalf("leave without the form token: %d", p.status)
	}
	if ok, _ := s.db.IsMember(ctx, circle.ID, id); !ok {
		t.Fatal("left with a forged form")
	}
	if p := ann.b.submit(form, fmt.Sprintf("/circles/%d/leave", circle.ID)); p.path != "/c/"+circle.Code+"?left=1" || !strings.Contains(text(p), "You left this circle") {
		t.Fatalf("leave ended at %s (%d)\n%s", p.path, p.status, p.body)
	}
	if ok, _ := s.db.IsMember(ctx, circle.ID, id); ok {
		t.Fatal("still a member")
	}
	if p := s.browser().get("/settings"); !strings.HasPrefix(p.path, "/login?return_to=%2Fsettings") {
		t.Fatalf("settings signed out: %s", p.path)
	}
}

// pngImage is a small picture for the avatar upload.
func pngImage(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{uint8(6 * x), uint8(8 * y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (b *browser) uploadAvatar(csrf string, data []byte) page {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("avatar", "me.png")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.s.base+"/me/card/avatar", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestPagesCardFormValidatesAndSaves(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	p := b.signIn(b.get("/me/card"), "+8613800000001", "Ann Lee")
	if p.path != "/me/card" || p.field("display_name") != "Ann Lee" {
		t.Fatalf("card page after sign-in: %s (%d)\n%s", p.path, p.status, p.body)
	}
	bad := b.submit(p, "/me/card", "display_name", "Ann Lee", "title", "CTO", "emails", "ann@acme.example\nnot-an-email", "phones", "+86 138 0013 8000")
	if bad.status != 400 || !strings.Contains(text(bad), "Emails: Write the email address") || bad.field("title") != "CTO" ||
		!strings.Contains(text(bad), ">ann@acme.example\nnot-an-email</textarea>") {
		t.Fatalf("bad email: %d\n%s", bad.status, bad.body)
	}
	ctx := context.Background()
	u, _ := s.db.UserByPhone(ctx, "+8613800000001")
	if _, err := s.db.Card(ctx, u.ID); err == nil {
		t.Fatal("a rejected card was stored")
	}
	if p := b.submit(p, "/me/card", "display_name", "  ", "title", "CTO"); p.status != 400 || !strings.Contains(text(p), "Name: ") {
		t.Fatalf("empty name: %d\n%s", p.status, p.body)
	}
	ok := b.submit(p, "/me/card", "display_name", "Ann Lee", "title", "CTO", "company", "Acme", "emails", "ann@acme.example",
		"phones", "+86 138 0013 8000", "website", "https://acme.example", "note", "Line one\r\nLine two")
	if ok.path != "/me/card?done=saved" || !strings.Contains(text(ok), "Saved.") || ok.field("company") != "Acme" {
		t.Fatalf("save: %s (%d)\n%s", ok.path, ok.status, ok.body)
	}
	card, err := s.db.Card(ctx, u.ID)
	if err != nil || card.Title != "CTO" || len(card.Phones) != 1 || card.Phones[0] != "+8613800138000" || card.Note != "Line one\nLine two" {
		t.Fatalf("stored card %+v (%v)", card, err)
	}

	if p := b.uploadAvatar(ok.field("csrf"), []byte("not an image")); p.status != 400 || !strings.Contains(text(p), "Photo: ") {
		t.Fatalf("bad avatar: %d\n%s", p.status, p.body)
	}
	if p := b.uploadAvatar(ok.field("csrf"), pngImage(t)); p.path != "/me/card?done=saved" || !strings.Contains(p.body, `src="/me/card/avatar"`) {
		t.Fatalf("avatar: %s (%d)\n%s", p.path, p.status, p.body)
	}
	if p := b.get("/me/card/avatar"); p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "image/") {
		t.Fatalf("own avatar: %d %v", p.status, p.header)
	}
}

func TestPagesCircleShowsCardsAsTheOwnerChose(t *testing.T) {
	s := newSite(t)
	_, circle := s.organizer("+8613700000000", circleForm("Summit"))
	ann := s.joinByPage(circle, "+8613800000001", "Ann")
	bob := s.joinByPage(circle, "+8613800000002", "Bob")
	p := ann.b.get("/me/card")
	ann.b.submit(p, "/me/card", "display_name", "Ann Lee", "title", "CTO", "company", "Acme", "emails", "ann@acme.example", "note", "Secret note")

	view := bob.b.get(circlePath(circle.ID))
	body := text(view)
	if view.status != 200 || !strings.Contains(body, "Ann Lee") || !strings.Contains(body, "CTO · Acme") ||
		strings.Contains(body, "ann@acme.example") || strings.Contains(body, "Secret note") {
		t.Fatalf("Bob's view with Ann's default (basic) fields:\n%s", body)
	}
	vcf := fmt.Sprintf("/circles/%d/members/%d.vcf", circle.ID, ann.user.ID)
	if !strings.Contains(body, `href="`+vcf+`"`) || !strings.Contains(body, "Save to phone") {
		t.Fatalf("no Save to phone link:\n%s", body)
	}
	v := bob.b.get(vcf)
	if v.status != 200 || !strings.HasPrefix(v.header.Get("Content-Type"), "text/vcard") || !strings.HasPrefix(v.header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(v.body, "FN:Ann Lee") || !strings.Contains(v.body, "ORG:Acme") || strings.Contains(v.body, "EMAIL") || strings.Contains(v.body, "Secret") {
		t.Fatalf("vCard with basic fields: %d %v\n%s", v.status, v.header, v.body)
	}

	// Ann shows her emails in this circle: Bob sees them, still not the note.
	set := ann.b.get("/settings")
	ann.b.submit(set, fmt.Sprintf("/settings/circles/%d/visibility", circle.ID), "mode", "custom", "fields", "title", "fields", "company", "fields", "emails")
	body = text(bob.b.get(circlePath(circle.ID)))
	if !strings.Contains(body, "mailto:ann@acme.example") || strings.Contains(body, "Secret note") {
		t.Fatalf("Bob's view with emails shown:\n%s", body)
	}
	if v := bob.b.get(vcf); !strings.Contains(v.body, "EMAIL") || !strings.Contains(v.body, "ann@acme.example") || strings.Contains(v.body, "Secret") {
		t.Fatalf("vCard with emails:\n%s", v.body)
	}
	if v := bob.b.get(fmt.Sprintf("/circles/%d/members.vcf", circle.ID)); v.status != 200 || !strings.Contains(v.body, "FN:Bob") || strings.Contains(v.body, "Secret") {
		t.Fatalf("everyone's vCards: %d\n%s", v.status, v.body)
	}

	stranger := s.browser()
	stranger.signIn(stranger.get("/settings"), "+8613800000009", "Sid")
	if v := stranger.get(vcf); v.status == 200 || strings.Contains(v.body, "Ann Lee") {
		t.Fatalf("a stranger got Ann's card: %d\n%s", v.status, v.body)
	}

	// Bob asks for Ann's card; she accepts on her settings page; he sees all of it.
	view = bob.b.get(circlePath(circle.ID))
	req := bob.b.submit(view, fmt.Sprintf("/circles/%d/members/%d/request", circle.ID, ann.user.ID))
	if !strings.HasPrefix(req.path, circlePath(circle.ID)+"?done=requested") || !strings.Contains(text(req), "Your request for their card was sent") {
		t.Fatalf("request card: %s (%d)\n%s", req.path, req.status, req.body)
	}
	if p := bob.b.submit(view, fmt.Sprintf("/circles/%d/members/%d/deliver", circle.ID, ann.user.ID)); p.status != 409 || !strings.Contains(p.body, "Make your card first") {
		t.Fatalf("deliver without a card: %d\n%s", p.status, p.body)
	}
	// Ann sees the request on the circle's page, counted in the navigation, and accepts it there.
	annView := ann.b.get(circlePath(circle.ID))
	accept := regexp.MustCompile(`action="(/me/requests/\d+/accept)#card-requests"`).FindStringSubmatch(annView.body)
	if accept == nil || !strings.Contains(text(annView), "Bob</strong> asks for your card") || !strings.Contains(annView.body, `aria-label="Card requests: 1 waiting"`) {
		t.Fatalf("Ann's waiting requests:\n%s", annView.body)
	}
	if list := ann.b.get("/me/requests"); !strings.Contains(list.body, `action="`+accept[1]+`#card-requests"`) {
		t.Fatalf("the list of requests lacks Bob's:\n%s", list.body)
	}
	done := ann.b.submit(annView, accept[1], "form", "card-requests", "back", circlePath(circle.ID))
	if done.path != circlePath(circle.ID)+"?done=accepted&form=card-requests" || !strings.Contains(done.body, `<p class="notice answer" role="status" tabindex="-1">Accepted.</p>`) ||
		strings.Contains(done.body, `<a href="/me/requests" aria-label=`) || strings.Contains(done.body, accept[1]) {
		t.Fatalf("accepted from the circle's page: at %s (%d)\n%s", done.path, done.status, done.body)
	}
	if again := ann.b.submit(annView, accept[1], "form", "card-requests", "back", circlePath(circle.ID)); again.status != 409 ||
		!strings.Contains(again.body, `id="card-requests"`) || !strings.Contains(again.body, `<p class="error answer" role="alert">`) {
		t.Fatalf("answering twice: %d\n%s", again.status, again.body)
	}
	body = text(bob.b.get(circlePath(circle.ID)))
	if !strings.Contains(body, "Secret note") || !strings.Contains(body, "· contact") {
		t.Fatalf("Bob holds Ann's card but does not see it whole:\n%s", body)
	}
}

func TestPagesReferenceTheLiveScript(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Live", "phone_prefixes", "+86138"))
	ann := s.joinByPage(circle, "+8613800000001", "Ann")
	waiting := s.browser()
	status := waiting.signIn(waiting.scan(circle), "+8613900000002", "Wu")

	script := regexp.MustCompile(`<script src="(/static/live\.[0-9a-f]+\.js)" defer></script>`)
	pages := map[string]page{"circle": ann.b.get(circlePath(circle.ID)), "status": status,
		"manage": org.get(circlePath(circle.ID) + "/manage")}
	var src string
	for name, p := range pages {
		m := script.FindStringSubmatch(p.body)
		if p.status != 200 || m == nil || !strings.Contains(p.body, fmt.Sprintf(`data-live-circle="%d"`, circle.ID)) ||
			!strings.Contains(p.header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Fatalf("%s page (%s, %d) does not load the live script:\n%v\n%s", name, p.path, p.status, p.header, p.body)
		}
		src = m[1]
	}
	if !strings.Contains(pages["status"].body, `<noscript><meta http-equiv="refresh" content="10"></noscript>`) {
		t.Fatalf("the waiting page has no fallback for browsers without scripts:\n%s", pages["status"].body)
	}
	if !strings.Contains(pages["manage"].body, "members: 1") || !strings.Contains(pages["manage"].body, "1 waiting") {
		t.Fatalf("manage page counts:\n%s", pages["manage"].body)
	}
	js := s.browser().get(src)
	if js.status != 200 || !strings.Contains(js.header.Get("Cache-Control"), "max-age=31536000") ||
		!strings.Contains(js.header.Get("Content-Type"), "javascript") || !strings.Contains(js.body, "new EventSource('/api/v1/events')") {
		t.Fatalf("live.js: %d %v\n%.200s", js.status, js.header, js.body)
	}
}

// sseLines reads an event stream opened with b's cookies, line by line.
type sseLines struct {
	lines chan string
	stop  func()
}

func (b *browser) openEvents(t *testing.T) *sseLines {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", b.s.base+"/api/v1/events", nil)
	res, err := b.client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		t.Fatalf("event stream with the session cookie: %d %v", res.StatusCode, res.Header)
	}
	s := &sseLines{lines: make(chan string, 256), stop: func() { cancel(); res.Body.Close() }}
	t.Cleanup(s.stop)
	go func() {
		defer close(s.lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	s.await(t, "retry: ") // written once the stream is subscribed
	return s
}

// await returns the first line starting with prefix and the data line after it.
func (s *sseLines) await(t *testing.T, prefix string) (string, string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatalf("the stream ended before %q", prefix)
			}
			if strings.HasPrefix(line, prefix) {
				return line, <-s.lines
			}
		case <-deadline:
			t.Fatalf("no %q line within 5s", prefix)
		}
	}
}

func TestPagesEventStreamTakesTheSessionCookie(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Stream", "phone_prefixes", "+86138"))
	if res, err := http.Get(s.base + "/api/v1/events"); err != nil || res.StatusCode != 401 {
		t.Fatalf("signed out: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	orgEvents := org.openEvents(t)
	ann := s.joinByPage(circle, "+8613800000001", "Ann")
	_, data := orgEvents.await(t, "event: member.joined")
	if !strings.Contains(data, fmt.Sprintf(`"user_id":%d`, ann.user.ID)) || !strings.Contains(data, fmt.Sprintf(`"circle_id":%d`, circle.ID)) {
		t.Fatalf("member.joined data: %s", data)
	}

	// A waiting applicant's page hears the organizer's decision.
	wu := s.browser()
	wu.signIn(wu.scan(circle), "+8613900000002", "Wu")
	orgEvents.await(t, "event: request.created")
	wuEvents := wu.openEvents(t)
	m := org.get(circlePath(circle.ID) + "/manage")
	approve := regexp.MustCompile(`action="(/circles/\d+/requests/\d+/approve)"`).FindStringSubmatch(m.body)
	if approve == nil {
		t.Fatalf("no request to approve:\n%s", m.body)
	}
	org.submit(m, approve[1])
	if _, data := wuEvents.await(t, "event: request.decided"); !strings.Contains(data, `"status":"admitted"`) {
		t.Fatalf("request.decided data: %s", data)
	}
}
