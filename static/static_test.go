package static

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFingerprintedAssetsAreCachedForAYear(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	u := a.URL("style.css")
	if !strings.HasPrefix(u, Prefix+"style.") || !strings.HasSuffix(u, ".css") || u == Prefix+"style.css" {
		t.Fatalf("URL = %q", u)
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "max-age=31536000") ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") || !strings.Contains(rec.Body.String(), "body") {
		t.Fatalf("status %d headers %v", rec.Code, rec.Header())
	}
	rec = httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", Prefix+"style.css", nil))
	if rec.Code != 404 {
		t.Fatalf("unfingerprinted URL served: %d", rec.Code)
	}
}
