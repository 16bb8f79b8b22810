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
	"unicode"

	"qrcircles"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type m = map[string]any

// samples are the fixed data each page is rendered with for its golden files.
func samples() map[string]Page {
	req := m{"ID": 7, "Name": "Bo Wang", "ScanTime": "Sat 1 Mar 2025 09:30 (Asia/Shanghai)",
		"Reasons": []qrcircles.Words{qrcircles.Say("admission.reason.scan_before_window")}}
	form := m{"Title": "Launch 2025", "Description": "Talks and drinks", "Location": "Hall 3", "HasAvatar": true,
		"Zones":    []m{{"Value": "Asia/Shanghai", "Label": "Asia/Shanghai", "Selected": true}, {"Value": "UTC", "Label": "UTC", "Selected": false}},
		"StartsAt": "2025-03-01T09:00", "EndsAt": "2025-03-01T18:00", "NotBefore": "2025-03-01T08:00", "NotAfter": "2025-03-01T20:00",
		"Prefixes": "+86138", "PhoneRanges": "", "IDRanges": "1000..1999", "Cap": "200", "Status": "open",
		"OnSites": []m{{"Value": "", "Label": "Any scan counts, printed or on screen / 任何扫码均可", "Selected": false},
			{"Value": "review", "Label": "On site only: other scans wait for review / 仅限现场：其他扫码需审核", "Selected": true}},
		"Modes": []m{{"Value": "rules", "Label": "Admit when the rules pass, others wait for review / 符合规则自动加入", "Selected": true},
			{"Value": "review", "Label": "Review every request / 全部人工审核", "Selected": false}},
		"DisplayName": "Ann Lee", "Company": "Acme", "Phones": "+8613800138000", "Emails": "ann@acme.example",
		"Address": "1 Road", "Website": "https://acme.example", "Note": "Hi"}
	vis := m{"Mode": "custom", "Fields": []m{{"Name": "display_name", "Label": "Name / 姓名", "Checked": true, "Fixed": true},
		{"Name": "phones", "Label": "Phones / 电话", "Checked": false, "Fixed": false}}}
	member := m{"UserID": 2, "Avatar": "/circles/1/members/2/avatar", "Name": "Bo Wang", "Self": false, "Contact": false,
		"Title": "CTO", "Company": "Acme", "Phones": []string{"+8613800138001"}, "Emails": []string{"bo@acme.example"},
		"Address": "", "Website": "", "Note": "", "Saves": []string{"display_name", "title", "company", "phones", "emails"}, "BasicOnly": false}
	basic := m{"UserID": 3, "Avatar": "", "Name": "Cy Li", "Self": false, "Contact": false, "Title": "", "Company": "Acme",
		"Phones": []string{}, "Emails": []string{}, "Address": "", "Website": "", "Note": "", "Saves": []string{"display_name", "company"}, "BasicOnly": true}
	self := m{"UserID": 1, "Avatar": "", "Name": "Ann Lee", "Self": true, "Contact": false, "Title": "", "Company": "",
		"Phones": []string{}, "Emails": []string{}, "Address": "", "Website": "", "Note": ""}
	return map[string]Page{
		"account": {Title: "Your account", Viewer: &Viewer{Name: "Ann Lee", CSRF: "c5rf"}, Data: m{"User": m{"DisplayName": "Ann Lee", "Phone": "+8613800138000"},
			"Consents":   []m{{"ClientID": "partner", "ClientName": "Partner App", "Scopes": []string{"circles:read"}, "GrantedAt": "2025-03-01"}},
			"PasskeysOn": true, "Passkeys": []m{{"ID": 3, "Name": "Passkey 2025-03-02", "Created": "2025-03-02 08:00", "LastUsed": "2025-03-05 09:30"}}}},
		"app": {Title: "QR Circles", Data: m{"ClientID": "qrcircles-web"}},
		"card_edit": {Title: "My card / 我的名片", Error: "Emails: Write the email address as name@example.com. / 邮箱：邮箱格式应为 name@example.com。",
			Data: m{"Notice": "Saved. / 已保存。", "Form": form}},
		"circle_edit": {Title: "Manage: Launch 2025", Data: m{"Action": "/circles/1/manage", "Form": form,
			"Circle": m{"ID": 1, "Notice": "", "Members": 3, "Sizes": []int{256, 1024}, "Code": "AbC123",
				"Queue": m{"Waiting": 2, "Requests": []m{req}, "Declined": []m{req},
					"Counts": []m{{"Code": "scan_before_window", "N": 1, "Selected": true}, {"Code": "cap_reached", "N": 1, "Selected": false}},
					"Filter": m{"Reason": "scan_before_window", "From": "", "To": "", "Active": true}},
				"People": m{"Query": "", "Members": []m{{"UserID": 2, "DisplayName": "Bo Wang"}}},
				"Funnel": m{"Height": 92, "Bars": []m{{"Key": "opened", "N": 10, "Width": 300, "Y": 0}, {"Key": "joined", "N": 5, "Width": 150, "Y": 46}},
					"Reasons": []m{{"Code": "cap_reached", "N": 1}}},
				"URL": "https://qrc.example/c/AbC123", "AllowlistSize": 2, "AllowlistText": "+8613800138000\n+8613800138001",
				"Expected": 300, "SMSBudget": 300}}},
		"circle_show": {Title: "Launch 2025", Data: m{"ID": 1, "Title": "Launch 2025", "URL": "https://qrc.example/c/AbC123?s=tok",
			"QR": template.HTML(`<svg viewBox="0 0 1 1"></svg>`), "Members": 12, "Latest": []string{"Bo", "Ann"}, "OnSite": true, "NextMS": 1250, "EveryMS": 30000}},
		"account_deleted": {Title: "Account deleted"},
		"circle_landing": {Title: "Launch 2025", Data: m{"Code": "AbC123", "Title": "Launch 2025", "Description": "Talks", "Location": "Hall 3",
			"When": "Sat 1 Mar 2025 09:00 (Asia/Shanghai)", "Ticket": "t0k3n", "OnSite": "pr00f", "Full": true, "NotOnSite": false,
			"Notice": "Joining opens Sat 1 Mar 2025 08:00 (Asia/Shanghai). You can ask now; the organizer will review your request. / 尚未到扫码时限，加入申请将等待组织者审核。"}},
		"circle_poster": {Title: "Launch 2025", Data: m{"Title": "Launch 2025", "When": "Sat 1 Mar 2025 09:00 (Asia/Shanghai)", "Location": "Hall 3",
			"URL": "https://qrc.example/c/AbC123", "QR": template.HTML(`<svg viewBox="0 0 1 1"></svg>`), "OnSite": true}},
		"circle_status": {Title: "Launch 2025", Data: m{"ID": 1, "Title": "Launch 2025", "State": "waiting",
			"ScanTime": "Sat 1 Mar 2025 07:30 (Asia/Shanghai)", "Reasons": []qrcircles.Words{qrcircles.Say("admission.reason.scan_before_window")}}},
		"circle_view": {Title: "Launch 2025", Data: m{"ID": 1, "Title": "Launch 2025", "Notice": "Your card was delivered. / 名片已送达。",
			"When": "Sat 1 Mar 2025 09:00 (Asia/Shanghai)", "Location": "Hall 3", "Description": "Talks", "Organizer": true,
			"Announcements": []m{{"Body": "Doors open", "When": "Sat 1 Mar 2025 08:55 (Asia/Shanghai)"}}, "Members": []m{self, member, basic}}},
		"circle_landing+embed": {Title: "Launch 2025", Data: m{"Code": "AbC123", "Title": "Launch 2025", "Description": "", "Location": "Hall 3",
			"When": "Sat 1 Mar 2025 09:00 (Asia/Shanghai)", "Ticket": "t0k3n", "Notice": "",
			"Via": m{"ClientID": "c_partner", "Name": "Partner App", "Origin": "https://partner.example"}}},
		"embed_done": {Title: "Launch 2025", Data: m{"Title": "Launch 2025", "Status": "waiting", "ClientName": "Partner App",
			"Origin": "https://partner.example", "Link": "/circles/1/status",
			"Message": `{"type":"qrcircles:join","status":"waiting","circle":{"code":"AbC123"},"reasons":["identity_not_in_range"]}`}},
		"consent": {Title: "Allow access", Data: m{"ClientName": "Partner App", "Scopes": []string{"circles:read", "cards:read", "messages:read"}, "Action": "/oauth2/auth?x=1"}},
		"home":    {},
		"login": {Title: "Sign in", Error: "Too many codes for this number. Try again in 2 min.",
			Data: m{"ReturnTo": "/account", "Phone": "+86 138 0013 8000", "Region": "CN", "Passkeys": true}},
		"login+proof": {Title: "Sign in", Data: m{"ReturnTo": "/", "Phone": "138 0013 8000", "Region": "CN",
			"Proof": `{"algorithm":"SHA-256","challenge":"ab","maxnumber":100000,"salt":"cd?expires=1","signature":"ef"}`}},
		"login_code": {Title: "Enter the code", Error: "This code has expired. Request a new one.",
			Data: m{"ReturnTo": "/account", "Challenge": "ch1"}},
		"logout": {Title: "Sign out", Data: m{"Mode": "confirm", "ClientName": "Partner App", "Fields": []m{
			{"Name": "client_id", "Value": "c_partner"}, {"Name": "post_logout_redirect_uri", "Value": "https://partner.example/bye"},
			{"Name": "state", "Value": "s&1"}}}},
		"logout+done": {Title: "Signed out", Data: m{"Mode": "done"}},
		"logout+invalid": {Title: "Sign out", Error: "This sign-out link is not valid. You are still signed in; sign out on your account page if you want to. / 该退出链接无效。您仍处于登录状态；如需退出，请在账户页面操作。",
			Data: m{"Mode": "invalid"}},
		"message": {Title: "Not found / 未找到", Error: "No circle has this QR code. Check that you scanned the whole code, or ask the organizer. / 没有与此二维码对应的圈子。"},
		"my_circles": {Title: "My circles", Data: m{"Owned": []m{{"ID": 1, "Title": "Launch 2025", "When": "Sat 1 Mar 2025 09:00 (Asia/Shanghai)"}},
			"Joined": []m{}, "Waiting": []m{{"ID": 2, "Title": "Dinner", "When": "Sat 1 Mar 2025 07:30 (Asia/Shanghai)"}}}},
		"register": {Title: "Your name", Data: m{"ReturnTo": "/account", "Name": "", "Phone": "+8613800138000"}},
		"health": {Title: "Health", Data: m{"OK": false, "Failing": "migrations", "CheckedAt": "2025-03-01 09:30:00 UTC",
			"Checks": []m{{"Name": "database", "OK": true, "Took": "1.2ms", "Detail": qrcircles.Say("checks.value", "postgres")},
				{"Name": "migrations", "OK": false, "Took": "3.4ms", "Detail": qrcircles.Say("checks.pending", 1, "19", "qrcircles migrate up")}},
			"Facts": m{"Version": "v1.4.0", "Role": "all", "Started": "2025-03-01 08:00:00 UTC", "Uptime": "1h30m0s",
				"Live": 12, "PoolInUse": 1, "PoolIdle": 3, "PoolOpen": 4}}},
		"welcome": {Title: "Launch 2025", Error: "Phones: Start with + and the country code. / 电话：请以 + 和国家代码开头。",
			Data: m{"ID": 1, "Title": "Launch 2025", "Form": form, "Visibility": m{"Mode": "default", "Fields": vis["Fields"]},
				"SeesNow": []string{"display_name", "title", "company"}}},
		"settings": {Title: "Settings / 设置", Data: m{"Notice": "", "Phone": "", "Default": vis,
			"Circles": []m{{"ID": 1, "Title": "Launch 2025", "Muted": true, "Visibility": m{"Mode": "default", "Fields": vis["Fields"]}}},
			"Toggles": []m{{"Setting": "refuse_cards", "Label": "Refuse cards from strangers / 拒收陌生人名片",
				"Help": "Cards from people who are not your contacts wait for you to accept them. / 非联系人递来的名片需您接受。", "On": true}},
			"Exclusions": []m{{"ID": 3, "Phone": "+8613900139000", "Since": "2025-02-01"}},
			"Incoming":   []m{{"ID": 4, "Name": "Bo Wang", "Kind": "deliver"}}}},
		"messages": {Title: "Messages", Viewer: &Viewer{Name: "Ann Lee", CSRF: "c5rf", ID: 1, Unread: 3}, Data: m{"Next": 9,
			"Conversations": []m{{"With": m{"ID": 2, "Name": "Bo Wang", "Deleted": false}, "Last": "See you at the door", "FromMe": false, "Unread": 3,
				"When": "Sat 1 Mar 2025 09:30", "At": "2025-03-01T01:30:00Z"},
				{"With": m{"ID": 3, "Name": "", "Deleted": true}, "Last": "Bye", "FromMe": true, "Unread": 0, "When": "Fri 28 Feb 2025 18:00", "At": "2025-02-28T10:00:00Z"}}}},
		"message_thread": {Title: "Messages", Viewer: &Viewer{Name: "Ann Lee", CSRF: "c5rf", ID: 1}, Error: "Write a message.",
			Data: m{"With": m{"ID": 2, "Name": "Bo Wang", "Deleted": false}, "Older": 5, "Body": "", "Refusal": "",
				"Messages": []m{{"ID": 6, "Mine": true, "Read": true, "Body": "Hi Bo", "When": "Sat 1 Mar 2025 09:29", "At": "2025-03-01T01:29:00Z"},
					{"ID": 7, "Mine": false, "Read": false, "Body": "See you\nat the door", "When": "Sat 1 Mar 2025 09:30", "At": "2025-03-01T01:30:00Z"}}}},
		"message_thread+refused": {Title: "Messages", Data: m{"With": m{"ID": 2, "Name": "Bo Wang", "Deleted": false}, "Older": 0, "Body": "",
			"Refusal": "This person does not accept messages from people who are not their contacts.", "Messages": []m{}}},
		"message_thread+gone": {Title: "Messages", Data: m{"With": m{"ID": 3, "Name": "", "Deleted": true}, "Older": 0, "Body": "", "Refusal": "",
			"Messages": []m{{"ID": 8, "Mine": false, "Read": false, "Body": "Bye", "When": "Fri 28 Feb 2025 18:00", "At": "2025-02-28T10:00:00Z"}}}},
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
	pages := samples()
	files, _ := filepath.Glob("*.html")
	for _, f := range files {
		name := strings.TrimSuffix(f, ".html")
		if name == "layout" || IsPart(f) {
			continue
		}
		if _, ok := pages[name]; !ok {
			t.Errorf("page %s has no sample data for its golden files", name)
		}
	}
	for name, p := range pages {
		page, _, _ := strings.Cut(name, "+") // "page+variant" is a second sample of page
		for _, lang := range []string{English, Chinese} {
			p := p
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
	for key, v := range catalog {
		en := v[0]
		if strings.Contains(en, "%") || len(strings.Fields(en)) < 2 || en == v[1] {
			continue
		}
		if strings.Contains(text, en) {
			t.Errorf("%s.zh-Hans shows English %q (%s)", name, en, key)
		}
	}
	if strings.Contains(text, "English") == false {
		t.Errorf("%s.zh-Hans: switcher should offer English", name)
	}
}

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
		if strings.HasPrefix(k, "reason.") || strings.HasPrefix(k, "funnel.") || strings.HasPrefix(k, "queue.notice_") {
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

func TestLocalize(t *testing.T) {
	for _, c := range []struct{ in, lang, want string }{
		{"Saved. / 已保存。", English, "Saved."},
		{"Saved. / 已保存。", Chinese, "已保存。"},
		{"Emails: Write it / 邮箱：写", Chinese, "邮箱：写"},
		{"Too many codes for this number. Try again in 2 min.", Chinese, "该号码获取验证码次数过多，请 2 分钟后重试。"},
		{"Too many codes for this number. Try again in 30 s.", English, "Too many codes for this number. Try again in 30 s."},
		{"This code has expired. Request a new one.", Chinese, "验证码已过期，请重新获取。"},
		{"Unknown English", Chinese, "Unknown English"},
		{"a / b", Chinese, "a / b"},
	} {
		if got := Localize(c.in, c.lang); got != c.want {
			t.Errorf("Localize(%q, %s) = %q, want %q", c.in, c.lang, got, c.want)
		}
	}
	if got := LocalizeTitle("Launch / 发布会", Chinese); got != "Launch / 发布会" {
		t.Errorf("an organizer's title was cut: %q", got)
	}
	if got := LocalizeTitle("Not found / 未找到", Chinese); got != "未找到" {
		t.Errorf("title: %q", got)
	}
}

func TestRenderUnknownLanguageIsEnglish(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString(render(t, renderer(t), "home", Page{Lang: "fr", Title: "QR Circles"}))
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
