package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// rawCall sends body exactly as given (json.Marshal would have replaced invalid UTF-8) and
// returns the status and the decoded answer.
func (w *world) rawCall(token, method, path, body string) (int, map[string]any) {
	w.t.Helper()
	res, raw := w.request(token, method, path, "application/json", strings.NewReader(body))
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
		w.t.Errorf("%s %s: %d answered as %q, want problem+json", method, path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	return res.StatusCode, out
}

// TestAPITextIsTextOrRefused: every text of the JSON API is valid UTF-8 without control
// characters and within its limit in characters, or the request is a 400 problem naming the
// field — never a 500, never U+FFFD stored in place of what was sent. Circle, card and
// message texts; raw invalid bytes and escapes of half a character alike.
func TestAPITextIsTextOrRefused(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		org := w.person("+8613700000001", "Olga")
		status, made := w.rawCall(org.token, "POST", "/api/v1/circles", `{"title":"Expo"}`)
		if status != 201 {
			t.Fatalf("create: %d %v", status, made)
		}
		id := int64(made["id"].(float64))
		cjk := func(n int) string { return strings.Repeat("圈", n) }
		tests := []struct {
			name, method, path, body, field string // field "": accepted
		}{
			{"NUL in a title", "POST", "/api/v1/circles", `{"title":"Ex\u0000po"}`, "title"},
			{"NUL in a description", "POST", "/api/v1/circles", `{"title":"Expo","description":"a\u0000b"}`, "description"},
			{"invalid UTF-8 in a description", "POST", "/api/v1/circles", "{\"title\":\"Expo\",\"description\":\"caf\xe9\"}", "description"},
			{"half a surrogate pair", "POST", "/api/v1/circles", `{"title":"Expo \ud83d"}`, "title"},
			{"a line break in a title", "POST", "/api/v1/circles", `{"title":"Expo\r\n2026"}`, "title"},
			{"an escape sequence in a place", "POST", "/api/v1/circles", `{"title":"Expo","location":"Hall \u001b[31m1"}`, "location"},
			{"lines in a description are fine", "POST", "/api/v1/circles", `{"title":"Expo","description":"day one\nday two"}`, ""},
			{"200 Chinese characters are 200", "POST", "/api/v1/circles", `{"title":"` + cjk(200) + `"}`, ""},
			{"201 are too many", "POST", "/api/v1/circles", `{"title":"` + cjk(201) + `"}`, "title"},
			{"invalid UTF-8 in an allowlist", "POST", "/api/v1/circles", "{\"title\":\"Expo\",\"allowlist\":[\"+8613800000000\",\"+86\xff\"]}", "allowlist[1]"},
			{"NUL in a new title", "PATCH", fmt.Sprintf("/api/v1/circles/%d", id), `{"title":"\u0000"}`, "title"},
			{"invalid UTF-8 in a card note", "PUT", "/api/v1/me/card", "{\"display_name\":\"Olga\",\"note\":\"\xc3\x28\"}", "note"},
			{"NUL in a card name", "PUT", "/api/v1/me/card", `{"display_name":"Ol\u0000ga"}`, "display_name"},
			{"a line break in a card name", "PUT", "/api/v1/me/card", `{"display_name":"Olga\nAdmin"}`, "display_name"},
			{"NUL in an email", "PUT", "/api/v1/me/card", `{"display_name":"Olga","emails":["o\u0000@x.cn"]}`, "emails[0]"},
			{"a card", "PUT", "/api/v1/me/card", `{"display_name":"Olga","note":"line\nline"}`, ""},
			{"NUL in an announcement", "POST", fmt.Sprintf("/api/v1/circles/%d/announcements", id), `{"body":"hi\u0000"}`, "body"},
			{"invalid UTF-8 in an announcement", "POST", fmt.Sprintf("/api/v1/circles/%d/announcements", id), "{\"body\":\"hi \xf0\x9f\"}", "body"},
			{"an announcement", "POST", fmt.Sprintf("/api/v1/circles/%d/announcements", id), `{"body":"Welcome\nto the expo"}`, ""},
		}
		for _, tt := range tests {
			status, out := w.rawCall(org.token, tt.method, tt.path, tt.body)
			if tt.field == "" {
				if status >= 300 {
					t.Errorf("%s: %d %v, want it accepted", tt.name, status, out)
				}
				continue
			}
			if status != 400 || out["field"] != tt.field || out["type"] != "https://qrcircles.dev/problems/invalid" {
				t.Errorf("%s: %d %v, want 400 naming %q", tt.name, status, out, tt.field)
			}
		}
		// Nothing refused was stored; what was accepted is stored as sent.
		var mine struct {
			Owned []struct {
				Title       string `json:"title"`
				Description string `json:"description"`
			} `json:"owned"`
		}
		if s := w.call(org.token, "GET", "/api/v1/me/circles", nil, &mine); s != 200 {
			t.Fatalf("my circles: %d", s)
		}
		for _, c := range mine.Owned {
			if strings.ContainsAny(c.Title+c.Description, "\ufffd\x00") {
				t.Errorf("stored %q / %q", c.Title, c.Description)
			}
		}
		if len(mine.Owned) != 3 {
			t.Errorf("%d circles stored, want 3: %+v", len(mine.Owned), mine.Owned)
		}
	})
}

// TestPathsThatCannotBeValidAreNotFound: a code or an ID that no circle can have — NUL,
// invalid UTF-8, far too long, beyond int64 — is a 404, never a 500; on pages, in the API and
// at the token endpoint (an invalid_target, not a server error).
func TestPathsThatCannotBeValidAreNotFound(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		p := w.person("+8613700000002", "Pat")
		for _, path := range []string{"/c/%00", "/c/%FF%FE", "/c/a%00b/poster", "/c/" + strings.Repeat("x", 5000), "/c/%C0%80"} {
			req, _ := http.NewRequest("GET", w.base+path, nil)
			req.Header.Set("Accept", "text/html")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 404 {
				t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
			}
		}
		// A client ID that cannot be is an unknown client, as on the page for any other.
		for _, id := range []string{"%00", "%FF", "nosuchclient"} {
			res, err := http.Get(w.base + "/embed/join?origin=https://x.example&circle=x&client_id=" + id)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 403 {
				t.Errorf("embed with client_id %s: %d, want 403 (unknown client)", id, res.StatusCode)
			}
		}
		for _, path := range []string{"/api/v1/circles/%00", "/api/v1/circles/99999999999999999999999", "/api/v1/users/%FF/card",
			"/api/v1/circles/1%00/members"} {
			if status, out := w.rawCall(p.token, "GET", path, ""); status != 404 {
				t.Errorf("GET %s: %d %v, want 404", path, status, out)
			}
		}
		for _, audience := range []string{w.base + "/c/\x00", w.base + "/c/\xff", w.base + "/c/" + strings.Repeat("y", 5000)} {
			if _, status, out := p.scan(audience); status != 400 || out["error"] != "invalid_target" {
				t.Errorf("token exchange for %q: %d %v, want 400 invalid_target", audience[len(w.base):min(len(audience), len(w.base)+8)], status, out)
			}
		}
	})
}

// TestPagesRefuseTextNamingTheField: on pages the same rule holds, and the message names the
// field in the page's language: registration, the circle form, the card form, the allowlist.
func TestPagesRefuseTextNamingTheField(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	// Registration: a name with NUL, with a line break, then in Chinese.
	p := b.get("/circles/new")
	p = b.post("/login", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")}, "phone": {"+8613700000003"}})
	p = b.post("/login/code", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")},
		"c": {p.field("c")}, "code": {s.sms.code(t, "+8613700000003")}})
	if !strings.HasPrefix(p.path, "/register") {
		t.Fatalf("expected registration, at %s", p.path)
	}
	reg := func(name string) page {
		return b.post("/register", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")}, "name": {name}})
	}
	for _, tt := range []struct{ name, says string }{
		{"Ol\x00ga", "Name contains a control character (U+0000)."},
		{"Olga\r\nAdmin", "Name must fit on one line."},
		{"Ol\xffga", "Name is not valid UTF-8 text."},
		{strings.Repeat("李", 101), "Name has 101 characters; at most 100 are allowed."},
	} {
		if got := reg(tt.name); got.status != 400 || !strings.Contains(html.UnescapeString(got.body), tt.says) {
			t.Errorf("register %q: %d, want 400 saying %q\n%s", tt.name, got.status, tt.says, got.body)
		}
	}
	b.get("/lang/zh-Hans")
	if got := reg("Ol\x00ga"); got.status != 400 || !strings.Contains(html.UnescapeString(got.body), "姓名含有控制字符（U+0000）。") {
		t.Errorf("register in Chinese: %d\n%s", got.status, got.body)
	}
	b.get("/lang/en")
	if got := reg(strings.Repeat("李", 100)); got.status != 200 || got.path != "/circles/new" {
		t.Fatalf("register 100 characters: %d at %s", got.status, got.path)
	}
	if u, err := s.db.UserByPhone(context.Background(), "+8613700000003"); err != nil || u.DisplayName != strings.Repeat("李", 100) {
		t.Fatalf("stored name %q %v", u.DisplayName, err)
	}

	// Paths that cannot be valid, signed in.
	for _, path := range []string{"/circles/%00/manage", "/circles/99999999999999999999999", "/circles/1%00", "/circles/%FF/status"} {
		if got := b.get(path); got.status != 404 {
			t.Errorf("GET %s signed in: %d, want 404", path, got.status)
		}
	}

	// The circle form.
	form := b.get("/circles/new")
	bad := circleForm("Expo", "description", "day one\r\nday \x00two", "csrf", form.field("csrf"))
	if got := b.post("/circles/new", bad); got.status != 400 || !strings.Contains(html.UnescapeString(got.body), "Description contains a control character (U+0000).") {
		t.Errorf("circle form with NUL: %d\n%s", got.status, got.body)
	}
	b.get("/lang/zh-Hans")
	bad = circleForm("Expo\xff", "csrf", form.field("csrf"))
	if got := b.post("/circles/new", bad); got.status != 400 || !strings.Contains(html.UnescapeString(got.body), "标题不是有效的 UTF-8 文本。") {
		t.Errorf("circle form with invalid UTF-8, in Chinese: %d\n%s", got.status, got.body)
	}
	b.get("/lang/en")
	good := circleForm("Expo", "description", "day one\r\nday two", "csrf", form.field("csrf"))
	got := b.post("/circles/new", good)
	var id int64
	if _, err := fmt.Sscanf(got.path, "/circles/%d/manage", &id); err != nil {
		t.Fatalf("creating a circle with two lines ended at %s (%d)", got.path, got.status)
	}
	c, err := s.app.circles.Get(context.Background(), id)
	if err != nil || c.Description != "day one\nday two" {
		t.Fatalf("stored description %q %v", c.Description, err)
	}

	// The allowlist, pasted.
	m := b.get(fmt.Sprintf("/circles/%d/manage", id))
	if got := b.post(fmt.Sprintf("/circles/%d/allowlist", id), url.Values{"csrf": {m.field("csrf")}, "allowlist": {"+8613800000000\n+86138\x0000000001"}}); got.status != 400 || !strings.Contains(html.UnescapeString(got.body), "Allowlist entry contains a control character (U+0000).") {
		t.Errorf("allowlist with NUL: %d\n%s", got.status, got.body)
	}

	// The card form.
	card := b.get("/me/card")
	if got := b.post("/me/card", url.Values{"csrf": {card.field("csrf")}, "display_name": {"Olga"}, "company": {"Acme\x07"}}); got.status != 400 || !strings.Contains(html.UnescapeString(got.body), "Company contains a control character (U+0007).") {
		t.Errorf("card form with BEL: %d\n%s", got.status, got.body)
	}
	if got := b.post("/me/card", url.Values{"csrf": {card.field("csrf")}, "display_name": {"Olga"}, "note": {"one\r\ntwo"}}); got.status >= 400 {
		t.Errorf("card form with two lines: %d\n%s", got.status, got.body)
	}
	u, _ := s.db.UserByPhone(context.Background(), "+8613700000003")
	if stored, err := s.db.Card(context.Background(), u.ID); err != nil || stored.Note != "one\ntwo" {
		t.Errorf("stored note %q %v", stored.Note, err)
	}
}

// TestNULAndBadBytesAreNeverServerErrors: a NUL or bytes that are not UTF-8 in any query or
// form value of the sign-in, OAuth, settings and circle pages — keys looked up in the
// database among them — are refused or not found, never a 500.
func TestNULAndBadBytesAreNeverServerErrors(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	p := b.signIn(b.get("/circles/new"), "+8613700000055", "Pat")
	csrf := p.field("csrf")
	gets := []string{"/oauth2/auth?client_id=%00&response_type=code&redirect_uri=%00&scope=openid&state=xxxxxxxx&code_challenge=abc&code_challenge_method=S256",
		"/oauth2/auth?client_id=qrcircles-web&response_type=code&redirect_uri=%FF&scope=openid&state=xxxxxxxx",
		"/login?return_to=%00", "/login/code?c=%00", "/register?return_to=%00", "/account", "/embed/join?client_id=%00", "/c/x%00/poster",
		"/circles/1/members/%00", "/circles/1/members/1%00.vcf", "/me/card?x=%00", "/settings?saved=%00", "/lang/%00", "/static/%00",
		"/auth/callback?code=%00&state=%00", "/userinfo"}
	for _, g := range gets {
		req, _ := http.NewRequest("GET", s.base+g, nil)
		req.Header.Set("Accept", "text/html")
		r := b.do(req)
		if r.status >= 500 {
			t.Errorf("GET %s: %d", g, r.status)
		}
	}
	posts := []struct {
		path string
		form url.Values
	}{
		{"/login/code", url.Values{"csrf": {csrf}, "c": {"\x00"}, "code": {"123456"}}},
		{"/login", url.Values{"csrf": {csrf}, "phone": {"\x00\xff"}, "region": {"\x00"}}},
		{"/account/consents/revoke", url.Values{"csrf": {csrf}, "client_id": {"\x00"}}},
		{"/account/consents/revoke", url.Values{"csrf": {csrf}, "client_id": {"\xff"}}},
		{"/oauth2/auth", url.Values{"client_id": {"\x00"}, "response_type": {"code"}}},
		{"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"\x00"}, "code": {"\x00"}}},
		{"/oauth2/revoke", url.Values{"token": {"\x00"}, "client_id": {"\x00"}}},
		{"/oauth2/introspect", url.Values{"token": {"\x00"}}},
		{"/settings/exclusions", url.Values{"csrf": {csrf}, "phone": {"\x00"}}},
		{"/settings/privacy", url.Values{"csrf": {csrf}, "setting": {"\x00"}, "value": {"\x00"}}},
		{"/settings/visibility", url.Values{"csrf": {csrf}, "mode": {"\x00"}, "fields": {"\x00"}}},
		{"/circles/new", url.Values{"csrf": {csrf}, "title": {"x"}, "time_zone": {"\x00"}}},
		{"/circles/new", url.Values{"csrf": {csrf}, "title": {"x"}, "time_zone": {"UTC"}, "phone_prefixes": {"\x00"},
			"user_id_ranges": {"\x00"}, "phone_ranges": {"+86\x00..+87"}, "mode": {"\x00"}, "member_cap": {"\x00"}}},
		{"/embed/join", url.Values{"csrf": {csrf}, "client_id": {"\x00"}, "origin": {"\x00"}, "circle": {"\x00"}}},
	}
	for _, tt := range posts {
		if r := b.post(tt.path, tt.form); r.status >= 500 {
			t.Errorf("POST %s %q: %d", tt.path, tt.form, r.status)
		}
	}
}
