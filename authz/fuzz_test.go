package authz

import (
	"strings"
	"testing"

	"qrcircles/templates"
)

// FuzzReturnTo: the sign-in pages keep return_to exactly when the pages' rule
// (templates.SafeReturnTo, fuzzed with real redirects there) finds it a path on this site,
// and send everything else to the account page, which is on the site.
func FuzzReturnTo(f *testing.F) {
	for _, s := range []string{"/", "/circles/1", "//evil.example", "/\\evil.example", "https://evil.example", "", "/\t/x", "account"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := safeReturnTo(raw)
		kept := raw == "/" || templates.SafeReturnTo(raw) == raw
		if (kept && got != raw) || (!kept && got != "/account") {
			t.Fatalf("safeReturnTo(%q) = %q; kept by the rule: %v", raw, got, kept)
		}
	})
}

// FuzzCircleCode: a token exchange reads a circle code only from a URL of this issuer's
// form ISSUER/c/CODE, and reads it back whole: no path, query or fragment after it, nothing
// from another site.
func FuzzCircleCode(f *testing.F) {
	const issuer = "https://circles.example"
	for _, s := range []string{issuer + "/c/Xk3v9QmZp2LwR7tYbN4sAA", issuer + "/c/", issuer + "/c/a/b", issuer + "/c/a?x", "https://evil.example/c/abc",
		issuer + "/c/\x00", issuer + ".evil.example/c/abc", issuer + "/C/abc", issuer + "/c/%2F"} {
		f.Add(issuer, s)
	}
	f.Fuzz(func(t *testing.T, iss, u string) {
		code, ok := circleCode(iss, u)
		if !ok {
			if code != "" {
				t.Fatalf("circleCode(%q, %q) = %q without ok", iss, u, code)
			}
			return
		}
		if code == "" || strings.ContainsAny(code, "/?#") || u != iss+"/c/"+code {
			t.Fatalf("circleCode(%q, %q) = %q", iss, u, code)
		}
		if again, ok := circleCode(iss, iss+"/c/"+code); !ok || again != code {
			t.Fatalf("the code %q does not read back: %q %v", code, again, ok)
		}
	})
}
