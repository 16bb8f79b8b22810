package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// lacksSecurityHeaders names the security headers an answer lacks.
func lacksSecurityHeaders(h http.Header) []string {
	var missing []string
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
		missing = append(missing, "Content-Security-Policy")
	}
	for name, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if h.Get(name) != want {
			missing = append(missing, name)
		}
	}
	return missing
}

func TestEveryPageCarriesTheSecurityHeadersOnPostgres(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Launch party"))
	client := embedClient(t, s, "https://tickets.example")
	anon := s.browser()
	id := fmt.Sprintf("/circles/%d", circle.ID)
	for _, tt := range []struct {
		who    *browser
		method string
		path   string
		body   string
		status int
	}{
		{anon, "GET", "/", "", 200},
		{anon, "GET", "/login", "", 200},
		{anon, "GET", "/c/" + circle.Code, "", 200},
		{anon, "GET", "/c/" + circle.Code + "/poster", "", 200},
		{anon, "GET", "/c/NoSuchCode", "", 404},
		{anon, "GET", "/no/such/page", "", 404},
		{anon, "GET", embedQuery(client.ID, circle.Code, "https://tickets.example"), "", 200},
		{anon, "GET", "/health", "", 200},
		{anon, "POST", "/login", strings.Repeat("a", 70<<10), 413},
		{org, "GET", "/me/circles", "", 200},
		{org, "GET", "/circles/new", "", 200},
		{org, "GET", id, "", 200},
		{org, "GET", id + "/manage", "", 200},
		{org, "GET", "/circles/999999", "", 404},
		{org, "GET", "/me/card", "", 200},
		{org, "GET", "/settings", "", 200},
		{org, "GET", "/account", "", 200},
	} {
		req, _ := http.NewRequest(tt.method, s.base+tt.path, strings.NewReader(tt.body))
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p := tt.who.do(req)
		if p.status != tt.status || !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %s: %d %q, want an HTML page with %d", tt.method, tt.path, p.status, p.header.Get("Content-Type"), tt.status)
			continue
		}
		if m := lacksSecurityHeaders(p.header); len(m) > 0 {
			t.Errorf("%s %s (%d) lacks %v", tt.method, tt.path, p.status, m)
		}
	}
}
