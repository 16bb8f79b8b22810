// Package apitest drives the JSON API's handlers in tests: requests with a bearer token and a
// JSON (or raw) body, and checks of the status and of problem+json answers.
package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"qrcircles"
)

// Do sends a request to h. A []byte body is sent as it is; any other non-nil body as JSON.
func Do(t testing.TB, h http.Handler, token, method, path string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if _, raw := body.([]byte); !raw && body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// Must fails the test unless the answer has the status.
func Must(t testing.TB, rec *httptest.ResponseRecorder, status int) *httptest.ResponseRecorder {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body.String())
	}
	return rec
}

// Problem checks a problem+json answer with the status and returns it.
func Problem(t testing.TB, rec *httptest.ResponseRecorder, status int) qrcircles.Problem {
	t.Helper()
	Must(t, rec, status)
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q: %s", ct, rec.Body.String())
	}
	return Decode[qrcircles.Problem](t, rec)
}

// Decode reads the JSON answer.
func Decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%v: %s", err, rec.Body.String())
	}
	return v
}
