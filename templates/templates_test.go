package templates

import (
	"bytes"
	"flag"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"qrcircles"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type m = map[string]any

// samples are the fixed data each page is rendered with for its golden files.
func samples(lang string) map[string]Page {
	say, v := qrcircles.Say, Verbatim
	at := func(hour, min int) qrcircles.Words {
		return At(time.Date(2025, 3, 1, hour-8, min, 0, 0, time.UTC), "Asia/Shanghai")
	}
	sent := time.Date(2025, 3, 1, 1, 30, 0, 0, time.UTC) // a message's time, 09:30 in Shanghai
	hello, bye := "See you\nat the door", "Bye"          // what people wrote, in the page's language
	if lang == Chinese {
		hello, bye = "门口\n见", "再见"
	}
	uptime := "1h30m0s"
	if lang == Chinese {
		uptime = "1小时30分0秒"
	}
	req := m{"ID": 7, "Name": "Bo Wang", "ScanTime": at(9, 30), "Reasons": []qrcircles.Words{say("admission.reason.scan_before_window")}}
	form := m{"Title": "Launch 2025", "Description": "Talks and drinks", "Location": "Hall 3", "HasAvatar": true,
		"Zones":    []m{{"Value": "Asia/Shanghai", "Label": ZoneLabel("Asia/Shanghai"), "Selected": true}, {"Value": "UTC", "Label": ZoneLabel("UTC"), "Selected": false}},
		"StartsAt": "2025-03-01T09:00", "EndsAt": "2025-03-01T18:00", "NotBefore": "2025-03-01T08:00", "NotAfter": "2025-03-01T20:00",
		"Prefixes": "+86138", "PhoneRanges": "", "IDRanges": "1000..1999", "Cap": "200", "Status": "open",
		"OnSites": []m{{"Value": "", "Label": say("onsite.any"), "Selected": false},
			{"Value": "review", "Label": say("onsite.review"), "Selected": true}},
		"Modes": []m{{"Value": "rules", "Label": say("mode.rules"), "Selected": true},
			{"Value": "review", "Label": say("mode.review"), "Selected": false}},
		"DisplayName": "Ann Lee", "Company": "Acme", "Phones": "+8613800138000", "Emails": "ann@acme.example",
		"Address": "1 Road", "Website": "https://acme.example", "Note": "Hi"}
	vis := m{"Mode": "custom", "Fields": []m{{"Name": "display_name", "Label": say("web.field.display_name"), "Checked": true, "Fixed": true},
		{"Name": "phones", "Label": say("web.field.phones"), "Checked": false, "Fixed": false}}}
	member := m{"UserID": 2, "Avatar": "/circles/1/members/2/avatar", "Name": "Bo Wang", "Self": false, "Contact": false,
		"Title": "CTO", "Company": "Acme", "Phones": []string{"+8613800138001"}, "Emails": []string{"bo@acme.example"},
		"Address": "", "Website": "", "Note": "", "Saves": []string{"display_name", "title", "company", "phones", "emails"}, "BasicOnly": false}
	basic := m{"UserID": 3, "Avatar": "", "Name": "Cy Li", "Self": false, "Contact": false, "Title": "", "Company": "Acme",
		"Phones": []string{}, "Emails": []string{}, "Address": "", "Website": "", "Note": "", "Saves": []string{"display_name", "company"}, "BasicOnly": true}
	self := m{"UserID": 1, "Avatar": "", "Name": "Ann Lee", "Self": true, "Contact": false, "Title": "", "Company": "",
		"Phones": []string{}, "Emails": []string{}, "Address": "", "Website": "", "Note": ""}
	return map[string]Page{
		"account": {Title: say("account.title"), Viewer: &Viewer{Name: "Ann Lee", CSRF: "c5rf"}, Data: m{"User": m{"DisplayName": "Ann Lee", "Phone": "+8613800138000"},
			"Consents":   []m{{"ClientID": "partner", "ClientName": "Partner App", "Scopes": []string{"circles:read"}, "GrantedAt": "2025-03-01"}},
			"PasskeysOn": true, "Passkeys": []m{{"ID": 3, "Name": "Passkey 2025-03-02", "Created": "2025-03-02 08:00", "LastUsed": "2025-03-05 09:30"}}}},
		"app": {Title: say("pwa.title"), Data: m{"ClientID": "qrcircles-web"}},
		"card_edit": {Title: say("card.title"), Form: "card-save", Error: (&qrcircles.TextError{Field: qrcircles.TextCardEmail, Problem: qrcircles.TextTooLong, Count: 300}).Words(),
			Data: m{"Form": form}},
		"circle_edit": {Title: say("title.manage", "Launch 2025"), Data: m{"Action": "/circles/1/manage", "Form": form,
			"Circle": m{"ID": 1, "Notice": say("queue.notice_saved", 2), "Members": 3, "Sizes": []int{256, 1024}, "Code": "AbC123",
				"Queue": m{"Waiting": 2, "Requests": []m{req}, "Declined": []m{req},
					"Counts": []m{{"Code": "scan_before_window", "N": 1, "Selected": true}, {"Code": "cap_reached", "N": 1, "Selected": false}},
					"Filter": m{"Reason": "scan_before_window", "From": "", "To": "", "Active": true}},
				"People": m{"Query": "", "Members": []m{{"UserID": 2, "DisplayName": "Bo Wang"}}},
				"Funnel": m{"Height": 92, "Bars": []m{{"Key": "opened", "N": 10, "Width": 300, "Y": 0}, {"Key": "joined", "N": 5, "Width": 150, "Y": 46}},
					"Reasons": []m{{"Code": "cap_reached", "N": 1}}},
				"URL": "https://qrc.example/c/AbC123", "AllowlistSize": 2, "AllowlistText": "+8613800138000\n+8613800138001",
				"Expected": 300, "SMSBudget": 300}}},
		"circle_show": {Title: v("Launch 2025"), Data: m{"ID": 1, "Title": "Launch 2025", "URL": "https://qrc.example/c/AbC123?s=tok",
			"QR": template.HTML(`<svg viewBox="0 0 1 1"></svg>`), "Members": 12, "Latest": []string{"Bo", "Ann"}, "OnSite": true, "NextMS": 1250, "EveryMS": 30000}},
		"account_deleted": {Title: say("title.account_deleted")},
		"circle_landing": {Title: v("Launch 2025"), Data: m{"Code": "AbC123", "Title": "Launch 2025", "Description": "Talks", "Location": "Hall 3",
			"When":   Between(time.Date(2025, 3, 1, 1, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), "Asia/Shanghai"),
			"Ticket": "t0k3n", "OnSite": "pr00f", "Full": true, "NotOnSite": false, "Notice": say("notice.window_opens", at(8, 0))}},
		"circle_poster": {Title: v("Launch 2025"), Data: m{"Title": "Launch 2025", "When": at(9, 0), "Location": "Hall 3",
			"URL": "https://qrc.example/c/AbC123", "QR": template.HTML(`<svg viewBox="0 0 1 1"></svg>`), "OnSite": true}},
		"circle_status": {Title: v("Launch 2025"), Data: m{"ID": 1, "Title": "Launch 2025", "State": "waiting",
			"ScanTime": at(7, 30), "Reasons": []qrcircles.Words{say("admission.reason.scan_before_window")}}},
		"circle_view": {Title: v("Launch 2025"), Form: "deliver-2", Done: "done.delivered", Data: m{"ID": 1, "Title": "Launch 2025", "Back": "/circles/1",
			"Requests": []m{{"ID": 4, "Name": "Bo Wang", "Kind": "request"}},
			"When":     at(9, 0), "Location": "Hall 3", "Description": "Talks", "Organizer": true,
			"Announcements": []m{{"Body": "Doors open", "When": at(8, 55)}}, "Members": []m{self, member, basic}}},
		"circle_landing+embed": {Title: v("Launch 2025"), Data: m{"Code": "AbC123", "Title": "Launch 2025", "Description": "", "Location": "Hall 3",
			"When": at(9, 0), "Ticket": "t0k3n", "Notice": qrcircles.Words{},
			"Via": m{"ClientID": "c_partner", "Name": "Partner App", "Origin": "https://partner.example"}}},
		"embed_done": {Title: v("Launch 2025"), Data: m{"Title": "Launch 2025", "Status": "waiting", "ClientName": "Partner App",
			"Origin": "https://partner.example", "Link": "/circles/1/status",
			"Message": `{"type":"qrcircles:join","status":"waiting","circle":{"code":"AbC123"},"reasons":["identity_not_in_range"]}`}},
		"consent": {Title: say("title.allow_access"), Data: m{"ClientName": "Partner App", "Scopes": []string{"circles:read", "cards:read", "messages:read"}, "Action": "/oauth2/auth?x=1"}},
		"home":    {},
		"login": {Title: say("login.title"), Error: say("web.labeled", say("web.field.phone"), say("web.expired_form")),
			Data: m{"ReturnTo": "/account", "Phone": "+86 138 0013 8000", "Region": "CN", "Passkeys": true}},
		"login+proof": {Title: say("login.title"), Data: m{"ReturnTo": "/", "Phone": "138 0013 8000", "Region": "CN",
			"Proof": `{"algorithm":"SHA-256","challenge":"ab","maxnumber":100000,"salt":"cd?expires=1","signature":"ef"}`}},
		"login_code": {Title: say("code.title"), Error: say("web.expired_form"),
			Data: m{"ReturnTo": "/account", "Challenge": "ch1"}},
		"logout": {Title: say("title.sign_out"), Data: m{"Mode": "confirm", "ClientName": "Partner App", "Fields": []m{
			{"Name": "client_id", "Value": "c_partner"}, {"Name": "post_logout_redirect_uri", "Value": "https://partner.example/bye"},
			{"Name": "state", "Value": "s&1"}}}},
		"logout+done": {Title: say("title.signed_out"), Data: m{"Mode": "done"}},
		"logout+invalid": {Title: say("title.sign_out"), Error: say("web.expired_form"),
			Data: m{"Mode": "invalid"}},
		"message": {Title: TitleOf(qrcircles.ENotFound), Error: say("web.unknown_code")},
		"my_circles": {Title: say("title.my_circles"), Data: m{"Owned": []m{{"ID": 1, "Title": "Launch 2025", "When": at(9, 0), "Members": 3, "Waiting": 1}},
			"Joined": []m{}, "Waiting": []m{{"ID": 2, "Title": "Dinner", "When": at(7, 30)}}}},
		"register": {Title: say("title.your_name"), Data: m{"ReturnTo": "/account", "Name": "", "Phone": "+8613800138000"}},
		"health": {Title: say("health.title"), Data: m{"OK": false, "Failing": "migrations", "CheckedAt": "2025-03-01 09:30:00 UTC",
			"Checks": []m{{"Name": "database", "OK": true, "Took": "1.2ms", "Detail": v("postgres")},
				{"Name": "migrations", "OK": false, "Took": "3.4ms", "Detail": say("checks.pending", 1, "19", "qrcircles migrate up")}},
			"Facts": m{"Version": "v1.4.0", "Role": "all", "Started": "2025-03-01 08:00:00 UTC", "Uptime": v(uptime),
				"Live": 12, "PoolInUse": 1, "PoolIdle": 3, "PoolOpen": 4}}},
		"welcome": {Title: say("title.welcome", "Launch 2025"), Error: say("web.labeled", say("web.field.phones"), say("web.expired_form")),
			Data: m{"ID": 1, "Title": "Launch 2025", "Form": form, "Visibility": m{"Mode": "default", "Fields": vis["Fields"]},
				"SeesNow": []string{"display_name", "title", "company"}}},
		"settings": {Title: say("title.settings"), Data: m{"Phone": "", "Default": vis,
			"Circles":    []m{{"ID": 1, "Title": "Launch 2025", "Muted": true, "Visibility": m{"Mode": "default", "Fields": vis["Fields"]}}},
			"Toggles":    []m{{"Setting": "refuse_cards", "Label": say("privacy.refuse_cards"), "Help": say("privacy.refuse_cards_note"), "On": true}},
			"Exclusions": []m{{"ID": 3, "Phone": "+8613900139000", "Since": "2025-02-01"}},
			"Requests":   2}},
		"card_requests": {Title: say("title.card_requests"), Form: "card-requests", Done: "done.accepted", Viewer: &Viewer{Name: "Ann Lee", CSRF: "c5rf", CardRequests: 2},
			Data: m{"Back": "/me/requests", "Requests": []m{{"ID": 4, "Name": "Bo Wang", "Kind": "deliver"}, {"ID": 5, "Name": "Cy Li", "Kind": "request"}}}},
		"message+steps": {Title: TitleOf(qrcircles.EForbidden), Error: say("circles.members_only"), Data: &struct {
			SignIn               string
			ScanAgain, MyCircles bool
		}{"/login?return_to=%2Fcircles%2F1", true, true}},
		"messages": {Title: say("inbox.title"), Viewer: &Viewer{Name: "Ann Lee", CSRF: "c5rf", UserID: 1, Unread: 3}, Data: m{"Next": 9, "Zone": ZoneLabel("Asia/Shanghai"),
			"Conversations": []m{{"With": m{"ID": 2, "Name": "Bo Wang", "Deleted": false}, "Last": hello, "FromMe": false, "Unread": 3,
				"When": Clock(sent, "Asia/Shanghai"), "At": "2025-03-01T01:30:00Z"},
				{"With": m{"ID": 3, "Name": "", "Deleted": true}, "Last": bye, "FromMe": true, "Unread": 0, "When": Clock(sent, "Asia/Shanghai"), "At": "2025-03-01T01:30:00Z"}}}},
		"message_thread": {Title: say("inbox.title"), Viewer: &Viewer{Name: "Ann Lee", CSRF: "c5rf", UserID: 1}, Error: say("messages.empty"),
			Data: m{"Zone": ZoneLabel("Asia/Shanghai"), "With": m{"ID": 2, "Name": "Bo Wang", "Deleted": false}, "Older": 5, "Body": "", "Refusal": qrcircles.Words{},
				"Messages": []m{{"ID": 6, "Mine": true, "Read": true, "Body": "👋", "When": Clock(sent, "Asia/Shanghai"), "At": "2025-03-01T01:30:00Z"},
					{"ID": 7, "Mine": false, "Read": false, "Body": hello, "When": Clock(sent, "Asia/Shanghai"), "At": "2025-03-01T01:30:00Z"}}}},
		"message_thread+refused": {Title: say("inbox.title"), Data: m{"Zone": ZoneLabel("Asia/Shanghai"), "With": m{"ID": 2, "Name": "Bo Wang", "Deleted": false}, "Older": 0, "Body": "",
			"Refusal": say("messages.contacts_only"), "Messages": []m{}}},
		"message_thread+gone": {Title: say("inbox.title"), Data: m{"Zone": ZoneLabel("Asia/Shanghai"), "With": m{"ID": 3, "Name": "", "Deleted": true}, "Older": 0, "Body": "", "Refusal": qrcircles.Words{},
			"Messages": []m{{"ID": 8, "Mine": false, "Read": false, "Body": bye, "When": Clock(sent, "Asia/Shanghai"), "At": "2025-03-01T01:30:00Z"}}}},
	}
}

func renderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := New(func(name string) string { return "/static/" + name })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t *testing.T, r *Renderer, page string, p Page) string {
	t.Helper()
	w := httptest.NewRecorder()
	if err := r.Render(w, http.StatusOK, page, p); err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	return w.Body.String()
}

func TestGolden(t *testing.T) {
	r := renderer(t)
	files, _ := filepath.Glob("*.html")
	for _, f := range files {
		name := strings.TrimSuffix(f, ".html")
		if name == "layout" || IsPart(f) {
			continue
		}
		if _, ok := samples(English)[name]; !ok {
			t.Errorf("page %s has no sample data for its golden files", name)
		}
	}
	for _, lang := range []string{English, Chinese} {
		for name, p := range samples(lang) {
			page, _, _ := strings.Cut(name, "+") // "page+variant" is a second sample of page
			p.Lang, p.CSRF, p.Path = lang, "csrf-token", "/sample?x=1"
			got := render(t, r, page, p)
			file := filepath.Join("testdata", name+"."+lang+".golden")
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test ./templates/ -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s; run go test ./templates/ -update and review the diff\n%s", name, file, got)
			}
			checkOneLanguage(t, name, lang, got)
		}
	}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// checkOneLanguage: an English page has no Chinese but the switcher's "中文"; a Chinese page
// shows no English catalog sentence.
func checkOneLanguage(t *testing.T, name, lang, html string) {
	t.Helper()
	if !strings.Contains(html, `<html lang="`+lang+`">`) {
		t.Errorf("%s.%s: no <html lang=%q>", name, lang, lang)
	}
	if !strings.Contains(html, `id="lang-switch"`) {
		t.Errorf("%s.%s: no language switcher", name, lang)
	}
	text := tagRE.ReplaceAllString(html, " ")
	if lang == English {
		rest := strings.ReplaceAll(text, "中文", "")
		for _, r := range rest {
			if unicode.Is(unicode.Han, r) {
				t.Errorf("%s.en shows Chinese: %q", name, r)
				break
			}
		}
		return
	}
	for _, s := range LatinSentences(html, sampleNames...) {
		t.Errorf("%s.zh-Hans shows English: %q", name, s)
	}
	if strings.Contains(text, "English") == false {
		t.Errorf("%s.zh-Hans: switcher should offer English", name)
	}
}

// sampleNames are what people wrote in the samples: names, titles, places, cards, apps.
var sampleNames = []string{"Bo Wang", "Ann Lee", "Launch 2025", "Talks and drinks", "Talks", "Hall 3", "Doors open", "Dinner",
	"Partner App", "Passkey", "Bo", "Ann", "Cy Li", "Acme", "CTO", "1 Road", "Hi", "postgres", "qrcircles migrate up", "migrations", "all",
	"AbC123", "c_partner", "s&1", "circles:read", "cards:read", "messages:read"}

var keyRE = regexp.MustCompile(`\{\{\s*t\s+"([^"]+)"`)

func TestCatalogCoversTemplates(t *testing.T) {
	used := map[string]bool{}
	files, _ := filepath.Glob("*.html")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllSubmatch(b, -1) {
			key := string(m[1])
			used[key] = true
			v, ok := catalog[key]
			if !ok {
				t.Errorf("%s uses %q, not in the catalog", f, key)
				continue
			}
			if v[0] == "" || v[1] == "" || !hasHan(v[1]) || hasHan(v[0]) {
				t.Errorf("%q: needs English and Chinese: %q", key, v)
			}
			if strings.Count(v[0], "%") != strings.Count(v[1], "%") {
				t.Errorf("%q: the two languages take different arguments", key)
			}
		}
	}
	var unused []string
	for k, v := range catalog {
		// Keys the templates name with printf ("reason.%s") or the handlers pass to T.
		if handlerKey(k) {
			used[k] = true
			if !hasHan(v[1]) || hasHan(v[0]) || strings.Count(v[0], "%") != strings.Count(v[1], "%") {
				t.Errorf("%q: needs English and Chinese with the same arguments: %q", k, v)
			}
		}
		if strings.HasPrefix(k, "fields.") { // FieldList's words
			used[k] = true
		}
		if !used[k] && !strings.HasPrefix(k, "error.") { // error.*: the Go-written ServerError page
			unused = append(unused, k)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("catalog keys no template uses: %v", unused)
	}
}

// handlerKey reports whether the Go code, not a template, names key: a page's title, a notice,
// a choice of a form, or a key the templates build with printf ("reason.%s").
func handlerKey(k string) bool {
	for _, p := range []string{"reason.", "funnel.", "queue.notice_", "title.", "notice.", "onsite.", "mode.", "privacy.", "done."} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func TestNegotiate(t *testing.T) {
	for _, c := range []struct {
		accept, cookie, want string
	}{
		{"", "", English},
		{"zh-CN,zh;q=0.9", "", Chinese},
		{"zh-Hans-CN", "", Chinese},
		{"zh-TW", "", Chinese},
		{"en-US", "", English},
		{"en-US,en;q=0.9,zh-CN;q=0.8", "", English},
		{"fr-FR,zh;q=0.5", "", Chinese},
		{"fr", "", English},
		{"de,fr;q=0.8", "", English},
		{"zh;q=0.4,en;q=0.6", "", English},
		{"zh;q=0", "", English},
		{"*", "", English},
		{"zh-CN", "en", English},
		{"en-US", "zh-Hans", Chinese},
		{"zh-CN", "klingon", Chinese},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: c.cookie})
		}
		if got := Negotiate(r); got != c.want {
			t.Errorf("Accept-Language %q, cookie %q: %s, want %s", c.accept, c.cookie, got, c.want)
		}
	}
}

func TestSwitchLang(t *testing.T) {
	for _, c := range []struct{ url, status, location, cookie string }{
		{"/lang/zh-Hans?return_to=/login%3Freturn_to%3D%252Faccount", "303", "/login?return_to=%2Faccount", "zh-Hans"},
		{"/lang/en?return_to=/me/circles", "303", "/me/circles", "en"},
		{"/lang/en?return_to=https://evil.example/", "303", "/", "en"},
		{"/lang/en?return_to=//evil.example/", "303", "/", "en"},
		{"/lang/en?return_to=/%5Cevil.example", "303", "/", "en"},
		{"/lang/en", "303", "/", "en"},
		{"/lang/fr?return_to=/", "404", "", ""},
	} {
		w := httptest.NewRecorder()
		SwitchLang(w, httptest.NewRequest("GET", c.url, nil))
		res := w.Result()
		if got := res.Status[:3]; got != c.status {
			t.Errorf("%s: status %s, want %s", c.url, got, c.status)
			continue
		}
		if c.status != "303" {
			continue
		}
		if loc := res.Header.Get("Location"); loc != c.location {
			t.Errorf("%s: Location %q, want %q", c.url, loc, c.location)
		}
		var ck *http.Cookie
		for _, k := range res.Cookies() {
			if k.Name == LangCookie {
				ck = k
			}
		}
		if ck == nil || ck.Value != c.cookie || ck.MaxAge != 365*24*3600 || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
			t.Errorf("%s: cookie %+v", c.url, ck)
		}
	}
}

func TestRenderUnknownLanguageIsEnglish(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString(render(t, renderer(t), "home", Page{Lang: "fr", Title: qrcircles.Say("app.name")}))
	if !strings.Contains(buf.String(), `<html lang="en">`) {
		t.Fatal("an unsupported language should render English")
	}
}

func TestServerErrorPage(t *testing.T) {
	for _, lang := range []string{English, Chinese} {
		w := httptest.NewRecorder()
		ServerError(w, lang)
		body := w.Body.String()
		if w.Code != 500 || !strings.Contains(body, `<html lang="`+lang+`">`) || !strings.Contains(body, T(lang, "error.body")) {
			t.Errorf("%s: %d\n%s", lang, w.Code, body)
		}
	}
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}
