package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// onlyReader hides the length of a body, so that it is sent as a chunked one would be.
type onlyReader struct{ io.Reader }

// multipartOf is a multipart form whose one file holds n bytes, and its Content-Type.
func multipartOf(t *testing.T, n int) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "list.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(bytes.Repeat([]byte("1"), n))
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// sizedTo pads a multipart form's file so that the whole body is exactly n bytes.
func sizedTo(t *testing.T, n int) ([]byte, string) {
	t.Helper()
	empty, _ := multipartOf(t, 0)
	return multipartOf(t, n-len(empty))
}

func TestBodiesAreHeldToTheirRoutesLimit(t *testing.T) {
	e := newEngine(t, fakeDB{}, &bytes.Buffer{})
	got := map[string]int{} // route → bytes its handler read
	echo := func(c *gin.Context) {
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			t.Errorf("%s: the handler's read failed: %v", c.FullPath(), err)
		}
		got[c.Request.Method+" "+c.FullPath()] = len(b)
		c.String(http.StatusOK, "ok")
	}
	for _, r := range []string{"POST /login", "POST /api/v1/me/exclusions", "POST /oauth2/token",
		"POST /api/v1/circles", "POST /circles/:id/allowlist", "PUT /api/v1/me/card/avatar", "POST /me/card/avatar"} {
		method, path, _ := strings.Cut(r, " ")
		e.Handle(method, path, echo)
	}
	form := "application/x-www-form-urlencoded"
	jsonType := "application/json"
	for _, tt := range []struct {
		name, method, path string
		ctype              string
		body               []byte
		chunked            bool
		status             int
		answer             string // "page", "problem", "oauth"; empty when the handler answers
	}{
		{"form at the limit", "POST", "/login", form, bytes.Repeat([]byte("a"), FormLimit), false, 200, ""},
		{"form over the limit", "POST", "/login", form, bytes.Repeat([]byte("a"), FormLimit+1), false, 413, "page"},
		{"chunked form over the limit", "POST", "/login", form, bytes.Repeat([]byte("a"), FormLimit+1), true, 413, "page"},
		{"chunked form at the limit", "POST", "/login", form, bytes.Repeat([]byte("a"), FormLimit), true, 200, ""},
		{"multipart to a form", "POST", "/login", "", nil, false, 415, "page"},
		{"multipart over a form's limit", "POST", "/login", "multipart/form-data; boundary=x", bytes.Repeat([]byte("a"), FormLimit+1), true, 413, "page"},
		{"JSON at the limit", "POST", "/api/v1/me/exclusions", jsonType, bytes.Repeat([]byte(" "), FormLimit), false, 200, ""},
		{"JSON over the limit", "POST", "/api/v1/me/exclusions", jsonType, bytes.Repeat([]byte(" "), FormLimit+1), false, 413, "problem"},
		{"chunked JSON over the limit", "POST", "/api/v1/me/exclusions", jsonType, bytes.Repeat([]byte(" "), FormLimit+1), true, 413, "problem"},
		{"multipart to JSON", "POST", "/api/v1/me/exclusions", "", nil, false, 415, "problem"},
		{"token request over the limit", "POST", "/oauth2/token", form, bytes.Repeat([]byte("a"), FormLimit+1), true, 413, "oauth"},
		{"multipart token request", "POST", "/oauth2/token", "", nil, false, 400, "oauth"},
		{"allowlist JSON at its limit", "POST", "/api/v1/circles", jsonType, bytes.Repeat([]byte(" "), AllowlistLimit), true, 200, ""},
		{"allowlist JSON over its limit", "POST", "/api/v1/circles", jsonType, bytes.Repeat([]byte(" "), AllowlistLimit+1), false, 413, "problem"},
		{"allowlist upload at its limit", "POST", "/circles/7/allowlist", "multipart", nil, false, 200, ""},
		{"avatar upload at its limit", "PUT", "/api/v1/me/card/avatar", "multipart", nil, true, 200, ""},
		{"avatar page upload at its limit", "POST", "/me/card/avatar", "multipart", nil, false, 200, ""},
		{"raw avatar over its limit", "PUT", "/api/v1/me/card/avatar", "image/png", bytes.Repeat([]byte("a"), AvatarLimit+multipartSlack+1), true, 413, "problem"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clear(got)
			body, ctype := tt.body, tt.ctype
			switch ctype {
			case "": // a small multipart form where no file is expected
				body, ctype = multipartOf(t, 10)
			case "multipart": // a multipart form of exactly the route's limit
				body, ctype = sizedTo(t, int(BodyRuleOf(tt.method, routeOf(tt.path)).Max))
			}
			var rd io.Reader = bytes.NewReader(body)
			if tt.chunked {
				rd = onlyReader{rd}
			}
			req := httptest.NewRequest(tt.method, tt.path, rd)
			req.Header.Set("Content-Type", ctype)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			read, handled := got[tt.method+" "+routeOf(tt.path)]
			if tt.answer == "" {
				if !handled || read != len(body) {
					t.Fatalf("the handler read %d bytes (ran: %v), want %d", read, handled, len(body))
				}
				return
			}
			if handled {
				t.Fatal("the handler ran for a refused body")
			}
			if rec.Header().Get("Connection") != "close" {
				t.Error("a refused body does not close the connection")
			}
			checkAnswer(t, tt.answer, rec)
		})
	}
}

// routeOf is the route a test path is served by.
func routeOf(path string) string {
	if strings.HasSuffix(path, "/allowlist") {
		return "/circles/:id/allowlist"
	}
	return path
}

// checkAnswer checks that a refusal speaks the route's language.
func checkAnswer(t *testing.T, answer string, rec *httptest.ResponseRecorder) {
	t.Helper()
	ct := rec.Header().Get("Content-Type")
	switch answer {
	case "page":
		if !strings.HasPrefix(ct, "text/html") || !strings.Contains(rec.Body.String(), "<html") {
			t.Fatalf("want a page, got %q: %s", ct, rec.Body)
		}
	case "problem":
		var b struct{ Type, Detail string }
		if ct != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &b) != nil {
			t.Fatalf("want problem+json, got %q: %s", ct, rec.Body)
		}
		want := map[int]string{413: "too-large", 415: "unsupported-media-type"}[rec.Code]
		if !strings.HasSuffix(b.Type, "/"+want) || b.Detail == "" {
			t.Fatalf("problem %+v for %d", b, rec.Code)
		}
	case "oauth":
		var b struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(rec.Body.Bytes(), &b) != nil || b.Error != "invalid_request" || b.Description == "" {
			t.Fatalf("want an OAuth error, got %q: %s", ct, rec.Body)
		}
	}
}

func TestALengthOverTheLimitIsRefusedUnread(t *testing.T) {
	e := newEngine(t, fakeDB{}, &bytes.Buffer{})
	e.POST("/login", func(c *gin.Context) { t.Error("the handler ran") })
	body := &countingReader{}
	req := httptest.NewRequest("POST", "/login", body)
	req.ContentLength = 40 << 20
	req.Header.Set("Content-Length", strconv.Itoa(40<<20))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || body.n != 0 {
		t.Fatalf("status %d after reading %d bytes", rec.Code, body.n)
	}
}

// countingReader is an endless body that counts what is read of it.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	r.n += len(p)
	return len(p), nil
}

func TestTooLargePageInBothLanguages(t *testing.T) {
	e := newEngine(t, fakeDB{}, &bytes.Buffer{})
	e.POST("/circles/:id/allowlist", func(c *gin.Context) {})
	for lang, want := range map[string]string{"en": "at most 1 MB", "zh-CN": "最多接受 1 MB"} {
		req := httptest.NewRequest("POST", "/circles/1/allowlist", onlyReader{bytes.NewReader(make([]byte, AllowlistLimit+1))})
		req.Header.Set("Accept-Language", lang)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != 413 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s", lang, rec.Code, rec.Body)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{64 << 10: "64 KB", 1 << 20: "1 MB", 2 << 20: "2 MB", 1000: "1 KB"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}
