package authz_test

import (
	"strings"
	"testing"

	"qrcircles/authz"
)

func TestNormalizeOrigins(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://partner.example", "https://partner.example"},
		{"HTTPS://Partner.Example:443/", "https://partner.example"},
		{"https://partner.example:8443", "https://partner.example:8443"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"http://127.0.0.1", "http://127.0.0.1"},
		{"http://[::1]:80", "http://[::1]"},
	} {
		got, err := authz.NormalizeOrigins([]string{c.in})
		if err != nil || len(got) != 1 || got[0] != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "partner.example", "http://partner.example", "https://partner.example/path",
		"https://partner.example?x=1", "https://user@partner.example", "ftp://partner.example", "https://", "javascript:alert(1)"} {
		if got, err := authz.NormalizeOrigins([]string{bad}); err == nil {
			t.Errorf("%q accepted as %q", bad, got)
		} else if !strings.Contains(err.Error(), "origin") {
			t.Errorf("%q: the error does not say what is wrong: %v", bad, err)
		}
	}
	if got, _ := authz.NormalizeOrigins([]string{"https://a.example", "https://A.example/"}); len(got) != 1 {
		t.Errorf("duplicates kept: %q", got)
	}
}
