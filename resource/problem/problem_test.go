package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		detail string
		retry  string
	}{
		{"invalid", Invalid("title", "title is required"), 400, "title is required", ""},
		{"wrapped not found", fmt.Errorf("loading: %w", Errorf(ENotFound, "no such circle")), 404, "no such circle", ""},
		{"too many", &Error{Code: ETooMany, Message: "slow down", RetryAfter: 1500 * time.Millisecond}, 429, "slow down", "2"},
		{"too large", Errorf(ETooLarge, "at most 64 KB"), 413, "at most 64 KB", ""},
		{"unsupported", Errorf(EUnsupported, "send JSON"), 415, "send JSON", ""},
		{"plain error hides its cause", errors.New("pq: password=hunter2"), 500, "Something went wrong on our side. Please try again.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Write(rec, httptest.NewRequest("GET", "/api/v1/x", nil), "rid", tt.err)
			if rec.Code != tt.status || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			if got := rec.Header().Get("Retry-After"); got != tt.retry {
				t.Fatalf("Retry-After = %q, want %q", got, tt.retry)
			}
			var b Body
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			if b.Detail != tt.detail || b.Status != tt.status || b.Instance != "/api/v1/x" || b.RequestID != "rid" {
				t.Fatalf("body %+v", b)
			}
		})
	}
}
