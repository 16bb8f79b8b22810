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
		{"plain error hides its cause", errors.New("pq: password=hunter2"), 500, "Something went wrong on our side. Please try again.", ""},
		{"a validator's error names its field", fmt.Errorf("card: %w", badField{}), 400, "Title has a NUL.", ""},
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

// badField is an error of a pure validator: it names its field.
type badField struct{}

func (badField) Error() string        { return "Title has a NUL." }
func (badField) InvalidField() string { return "title" }

func TestFieldErrorsAreInvalid(t *testing.T) {
	err := fmt.Errorf("saving: %w", badField{})
	if CodeOf(err) != EInvalid {
		t.Fatalf("code %s", CodeOf(err))
	}
	if b := BodyOf(err); b.Field != "title" || b.Status != 400 || b.Type != TypeBase+EInvalid {
		t.Fatalf("body %+v", b)
	}
}
