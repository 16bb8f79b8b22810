package circles

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"qrcircles"
	"qrcircles/authz/phone"
	"qrcircles/resource/admission"
	"qrcircles/storage"
)

// FuzzAllowlist: any uploaded or pasted text gives first-column entries only, trimmed, one
// per line at most; the entries are all normalized to unique E.164 numbers that the rules
// accept, or the first bad one is refused as invalid input naming the allowlist — never a
// server error.
func FuzzAllowlist(f *testing.F) {
	for _, s := range []string{"phone,name\n+8613800138000,Ann\n13800138001,Bo\n", "\"+86 138 0013 8002\",\"Li, Lei\"\r\n",
		"13800138000\n\n 13800138000 \n", "+86138\x0000000\n", "caf\xe9,x\n+8613800138000", "phone\n", ",,,\n\"\"\n", "+1 415 555 2671;x"} {
		f.Add(s)
	}
	s := &Service{NormalizePhone: func(p string) (string, error) { return phone.Normalize(p, "CN") }}
	f.Fuzz(func(t *testing.T, text string) {
		entries := ParseAllowlistCSV(text)
		if n := strings.Count(text, "\n") + 1; len(entries) > n {
			t.Fatalf("%d entries from %d lines", len(entries), n)
		}
		for _, e := range entries {
			if e == "" || e != strings.TrimSpace(e) || strings.ContainsAny(e, "\n,") {
				t.Fatalf("entry %q is not one trimmed first column", e)
			}
		}
		phones, err := s.normalizeAll(entries)
		if err != nil {
			p, ok := qrcircles.ErrorOf(err)
			if !ok || p.Code != qrcircles.EInvalid || !strings.HasPrefix(p.Field, "allowlist") {
				t.Fatalf("normalizeAll(%q) = %v, want invalid input on the allowlist", entries, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range phones {
			if seen[p] {
				t.Fatalf("%q twice in %q", p, phones)
			}
			seen[p] = true
		}
		if err := admission.Validate(qrcircles.Rules{Allowlist: phones}); err != nil {
			t.Fatalf("normalized allowlist %q refused by the rules: %v", phones, err)
		}
	})
}

var codeShape = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// FuzzCircleURL: a drawn code is 128 random bits in 22 URL-safe characters, and any code
// makes a circle URL whose path is /c/ and the code, unescaped back to the code itself.
func FuzzCircleURL(f *testing.F) {
	f.Add("Xk3v9QmZp2LwR7tYbN4sAA", "https://qrcircles.example")
	f.Add("a/b?c#d", "https://qrcircles.example/base")
	f.Add("%00", "http://127.0.0.1:8080")
	s := &Service{}
	f.Fuzz(func(t *testing.T, code, base string) {
		if c := randomCode(); !codeShape.MatchString(c) {
			t.Fatalf("drawn code %q", c)
		} else if b, err := base64.RawURLEncoding.DecodeString(c); err != nil || len(b) != 16 {
			t.Fatalf("drawn code %q holds %d bytes, %v", c, len(b), err)
		}
		if !codeShape.MatchString(code) {
			return // only drawn codes make circle URLs
		}
		u, err := url.Parse(strings.TrimRight(base, "/")) // as the configuration reads it
		if err != nil || u.Scheme == "" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			return
		}
		s.PublicURL = u
		got, err := url.Parse(s.URL(storage.Circle{Code: code}))
		if err != nil || got.Host != u.Host || got.Path != u.Path+"/c/"+code {
			t.Fatalf("URL of %q under %q = %v %v", code, base, got, err)
		}
	})
}
