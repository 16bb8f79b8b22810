package main

import (
	"encoding/json"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"qrcircles/storage"
)

// The embedded join's server side, without a browser: which sites may open it, and that its
// result page opens only at the end of the person's own join.

func embedQuery(clientID, code, origin string) string {
	return "/embed/join?" + url.Values{"client_id": {clientID}, "circle": {code}, "origin": {origin}}.Encode()
}

// embedJoinHTTP opens the popup's page and presses Join; it returns where the browser is.
func (b *browser) embedJoinHTTP(clientID, code, origin string) page {
	b.s.t.Helper()
	p := b.get(embedQuery(clientID, code, origin))
	if p.status != 200 {
		b.s.t.Fatalf("the popup's page: %d\n%s", p.status, p.body)
	}
	return b.post("/embed/join", url.Values{"csrf": {p.field("csrf")}, "ticket": {p.field("ticket")},
		"client_id": {p.field("client_id")}, "origin": {p.field("origin")}, "circle": {p.field("circle")}})
}

var embedResultRE = regexp.MustCompile(`id="embed-result" data-origin="([^"]*)" data-result="([^"]*)"`)

// embedResult reads the message the done page hands to the opener, and the origin it goes to.
func embedResult(t *testing.T, p page) (origin string, msg map[string]any) {
	t.Helper()
	m := embedResultRE.FindStringSubmatch(p.body)
	if p.status != 200 || !strings.HasPrefix(p.path, "/embed/done?") || m == nil {
		t.Fatalf("expected the result page, at %s (%d)\n%s", p.path, p.status, p.body)
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(m[2])), &msg); err != nil {
		t.Fatalf("the result %q: %v", m[2], err)
	}
	return m[1], msg
}

func TestEmbeddedJoinServerSide(t *testing.T) {
	s := newSite(t)
	_, circle := s.organizer(organizerPhone, circleForm("Launch party", "phone_prefixes", "+86138"))
	const partner = "https://tickets.example"
	client := embedClient(t, s, partner)
	bare := embedClient(t, s, "https://other.example")
	if err := s.db.UpdateClient(t.Context(), withoutOrigins(bare)); err != nil {
		t.Fatal(err)
	}

	// The script partners load: a stable address, cached briefly, loadable from any site.
	js := s.browser().get("/embed.js")
	if js.status != 200 || !strings.Contains(js.header.Get("Content-Type"), "javascript") ||
		js.header.Get("Cache-Control") != "public, max-age=300" || js.header.Get("Cross-Origin-Resource-Policy") != "cross-origin" ||
		!strings.Contains(js.body, "qrcircles:join") {
		t.Fatalf("/embed.js: %d %v", js.status, js.header)
	}

	// Only a registered client, from a registered origin, may open the popup.
	b := s.browser()
	for name, q := range map[string]string{
		"unknown client":              embedQuery("c_nobody", circle.Code, partner),
		"origin not registered":       embedQuery(client.ID, circle.Code, "https://evil.example"),
		"client without origins":      embedQuery(bare.ID, circle.Code, "https://other.example"),
		"not an origin":               embedQuery(client.ID, circle.Code, "javascript:alert(1)"),
		"the first-party client":      embedQuery("qrcircles-web", circle.Code, s.base),
		"a path instead of an origin": embedQuery(client.ID, circle.Code, partner+"/page"),
	} {
		p := b.get(q)
		if p.status != 403 || !strings.Contains(p.body, "not registered") || strings.Contains(p.body, `action="/embed/join"`) {
			t.Errorf("%s: %d\n%s", name, p.status, p.body)
		}
	}
	if p := b.get(embedQuery(client.ID, "nosuchcode", partner)); p.status != 404 {
		t.Errorf("unknown circle: %d", p.status)
	}
	// The origin may be written as browsers do not (a default port): it is the same origin.
	p := b.get(embedQuery(client.ID, s.base+"/c/"+circle.Code, "https://TICKETS.example:443"))
	if p.status != 200 || p.field("origin") != partner || p.field("circle") != circle.Code || !strings.Contains(p.body, embedPartnerName) {
		t.Fatalf("the popup's page: %d origin=%q circle=%q\n%s", p.status, p.field("origin"), p.field("circle"), p.body)
	}
	if p := b.post("/embed/join", url.Values{"csrf": {"forged"}, "ticket": {p.field("ticket")}, "client_id": {client.ID},
		"origin": {partner}, "circle": {circle.Code}}); p.status != 403 {
		t.Errorf("Join without the form's token: %d", p.status)
	}

	// Ann (in range) joins; the result goes to the partner's origin and names nobody.
	ann := s.browser()
	p = ann.signIn(ann.embedJoinHTTP(client.ID, circle.Code, partner), annPhone, "Ann Lee")
	origin, msg := embedResult(t, p)
	if origin != partner || msg["type"] != "qrcircles:join" || msg["status"] != "joined" ||
		msg["circle"].(map[string]any)["code"] != circle.Code || strings.Contains(p.body, annPhone) {
		t.Fatalf("Ann's result to %s: %v", origin, msg)
	}
	done := p.path

	// Bo (out of range) waits, and the partner learns why.
	bo := s.browser()
	p = bo.signIn(bo.embedJoinHTTP(client.ID, circle.Code, partner), bobPhone, "Bo Wu")
	if _, msg := embedResult(t, p); msg["status"] != "waiting" || !strings.Contains(strings.Join(anyStrings(msg["reasons"]), " "), "identity_not_in_range") {
		t.Fatalf("Bo's result: %v", msg)
	}

	// The result page opens only for the join that returns to it: not for someone else, not
	// with its address changed, not without its proof.
	if p := bo.get(done); p.status != 410 || strings.Contains(p.body, "embed-result") {
		t.Errorf("Bo opened Ann's result page: %d", p.status)
	}
	if p := ann.get(strings.Replace(done, url.QueryEscape(partner), url.QueryEscape("https://evil.example"), 1)); p.status == 200 {
		t.Errorf("a changed origin was accepted: %s", p.path)
	}
	if p := ann.get(done[:strings.Index(done, "&proof=")]); p.status != 410 {
		t.Errorf("the result page without its proof: %d", p.status)
	}
	if p := ann.get(done); p.status != 200 {
		t.Errorf("Ann reloading her own result page: %d", p.status)
	}
}

func anyStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func withoutOrigins(c *storage.OAuthClient) *storage.OAuthClient {
	c.WebOrigins = nil
	return c
}

// TestPartnerDocButtonIsTheTestedOne: the tag docs/partners.md tells partners to use is the
// one the browser test's partner page carries (same script, same attributes).
func TestPartnerDocButtonIsTheTestedOne(t *testing.T) {
	tag := regexp.MustCompile(`<script src="[^"]*/embed\.js"[^>]*>`)
	attrs := func(file string) string {
		t.Helper()
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := tag.FindString(string(raw))
		if m == "" {
			t.Fatalf("%s has no embed.js script tag", file)
		}
		names := regexp.MustCompile(`\s([a-z-]+)(?:=|\s|>)`).FindAllStringSubmatch(m, -1)
		var out []string
		for _, n := range names {
			out = append(out, n[1])
		}
		return strings.Join(out, " ")
	}
	doc, tested := attrs(filepath.Join("..", "..", "docs", "partners.md")), attrs(filepath.Join("testdata", "partner-page.html"))
	if doc != strings.Replace(tested, " data-lang", "", 1) {
		t.Fatalf("docs/partners.md's tag has %q; the tested page's has %q", doc, tested)
	}
	if !strings.Contains(doc, "data-client-id") || !strings.Contains(doc, "data-circle") {
		t.Fatalf("the tag lacks its data attributes: %q", doc)
	}
}
