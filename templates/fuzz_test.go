package templates

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// returnToSeeds are return_to values an attacker would try.
var returnToSeeds = []string{"/", "/circles/1?x=y#z", "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example",
	"/\t/evil.example", "/%2F%2Fevil.example", "/.//evil.example", "/..//evil.example", " //evil.example", "/\r\n/evil.example",
	"javascript:alert(1)", "/x?next=//evil.example", "/@evil.example", "/%5Cevil.example", "\x00//evil.example", "/\x00/evil",
	"http:evil.example", "/ /evil.example", "///evil.example", "/\u3000/evil.example", "\u2215\u2215evil.example"}

// staysOnSite reports whether a browser sent to target by a redirect from
// https://site.example/login lands on site.example: it follows the Location header as
// http.Redirect writes it, reading it as browsers do (tabs and line breaks dropped,
// backslashes as slashes, spaces and controls around it trimmed).
func staysOnSite(target string) bool {
	rec := httptest.NewRecorder()
	http.Redirect(rec, httptest.NewRequest("GET", "https://site.example/login", nil), target, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	base, _ := url.Parse("https://site.example/login")
	u, err := url.Parse(loc)
	if err != nil {
		return false
	}
	to := base.ResolveReference(u)
	return to.Scheme == "https" && to.Host == "site.example"
}

// FuzzSafeReturnTo: return_to is kept only when it is a path on this site, and whatever it
// is, the redirect to what SafeReturnTo gives never leaves the site.
func FuzzSafeReturnTo(f *testing.F) {
	for _, s := range returnToSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := SafeReturnTo(raw)
		if got != raw && got != "/" {
			t.Fatalf("SafeReturnTo(%q) = %q: neither the path nor /", raw, got)
		}
		if !strings.HasPrefix(got, "/") || !staysOnSite(got) {
			t.Fatalf("SafeReturnTo(%q) = %q leaves the site", raw, got)
		}
		rec := httptest.NewRecorder()
		SwitchLang(rec, httptest.NewRequest("GET", "/lang/zh-Hans?return_to="+url.QueryEscape(raw), nil))
		if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !staysOnSite(loc) {
			t.Fatalf("the language switch from %q goes to %q (%d)", raw, loc, rec.Code)
		}
	})
}
