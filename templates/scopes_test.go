package templates

import (
	"html/template"
	"strings"
	"testing"
)

// TestScopeTextsInBothLanguages: every scope the consent page explains reads in English and
// in Chinese, and an unknown scope has no text (the page then shows its name alone).
func TestScopeTextsInBothLanguages(t *testing.T) {
	for _, s := range DescribedScopes() {
		en, ok1 := ScopeText(English, s)
		zh, ok2 := ScopeText(Chinese, s)
		if !ok1 || !ok2 || en == "" || !hasHan(zh) || hasHan(en) || en == zh {
			t.Errorf("%s: %q / %q", s, en, zh)
		}
	}
	if text, ok := ScopeText(English, "admin:all"); ok || text != "" {
		t.Errorf("unknown scope explained as %q", text)
	}
}

// TestConsentExplainsEachScope renders the consent page: each requested scope is shown with
// its explanation in the page's language.
func TestConsentExplainsEachScope(t *testing.T) {
	r := renderer(t)
	scopes := []string{"messages:read", "messages:write", "circles:join"}
	for _, lang := range []string{English, Chinese} {
		html := render(t, r, "consent", Page{Lang: lang, Data: map[string]any{"ClientName": "App", "Scopes": scopes, "Action": "/x"}})
		for _, s := range scopes {
			text, _ := ScopeText(lang, s)
			if !strings.Contains(html, template.HTMLEscapeString(text)+" <code>"+s+"</code>") {
				t.Errorf("%s consent page does not explain %s as %q", lang, s, text)
			}
		}
	}
}
