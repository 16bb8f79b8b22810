package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A HEAD request gets what GET would, without the body; other methods a route lacks are
// still refused.
func TestHeadAnswersAsGetWithoutABody(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(newEngine(t, fakeDB{}, &logs))
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		ctype        string
	}{
		{"HEAD", "/", 200, "text/html"},
		{"HEAD", "/healthz", 200, "application/json"},
		{"HEAD", "/no-such-page", 404, ""},
		{"DELETE", "/", 400, "application/problem+json"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Content-Type"), tt.ctype) {
			t.Errorf("%s %s: %d %q", tt.method, tt.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if tt.method == "HEAD" && len(body) != 0 {
			t.Errorf("%s %s sent a body of %d bytes", tt.method, tt.path, len(body))
		}
		if tt.status == 200 && res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: no security headers", tt.method, tt.path)
		}
	}
}
