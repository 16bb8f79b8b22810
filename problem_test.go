package qrcircles

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
		{"a validator's error names its field", fmt.Errorf("card: %w", badField{}), 400, "Title has a NUL.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteProblem(rec, httptest.NewRequest("GET", "/api/v1/x", nil), "rid", tt.err)
			if rec.Code != tt.status || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			if got := rec.Header().Get("Retry-After"); got != tt.retry {
				t.Fatalf("Retry-After = %q, want %q", got, tt.retry)
			}
			var b Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			if b.Detail != tt.detail || b.Status != tt.status || b.Instance != "/api/v1/x" || b.RequestID != "rid" {
				t.Fatalf("body %+v", b)
			}
		})
	}
}

// outage stands for storage.ErrUnavailable and ErrVerifierUnavailable, which this package
// recognizes by their Unavailable method.
type outage struct{}

func (outage) Error() string     { return "database unavailable" }
func (outage) Unavailable() bool { return true }

func TestOutageIsAlways503WithRetryAfter(t *testing.T) {
	down := fmt.Errorf("user: %w: %w", outage{}, errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"))
	tests := []struct {
		name   string
		err    error
		status int
		detail string
		retry  string
	}{
		{"an outage alone", down, 503, UnavailableMessage, "5"},
		{"an outage behind a token error", &Error{Code: EUnauthorized, Message: "The access token is not active.", Err: down}, 503, UnavailableMessage, "5"},
		{"an outage behind not found", fmt.Errorf("circle: %w", &Error{Code: ENotFound, Message: "no such circle", Err: down}), 503, UnavailableMessage, "5"},
		{"an outage with its own message", &Error{Code: EUnavailable, Message: "database unreachable", Err: down}, 503, "database unreachable", "5"},
		{"unavailable without an outage", Errorf(EUnavailable, "The server is shutting down."), 503, "The server is shutting down.", ""},
		{"no outage, no 503", &Error{Code: EUnauthorized, Message: "The access token is not active.", Err: errors.New("inactive")}, 401, "The access token is not active.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err) == EUnavailable; got != (tt.status == 503) {
				t.Fatalf("CodeOf = %s", CodeOf(tt.err))
			}
			rec := httptest.NewRecorder()
			WriteProblem(rec, httptest.NewRequest("POST", "/api/v1/circles/1/join", nil), "rid", tt.err)
			var b Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.status || b.Status != tt.status || b.Detail != tt.detail || rec.Header().Get("Retry-After") != tt.retry {
				t.Fatalf("%d Retry-After %q: %+v", rec.Code, rec.Header().Get("Retry-After"), b)
			}
			if tt.status == 503 && b.Type != ProblemTypeBase+EUnavailable {
				t.Fatalf("type %q", b.Type)
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
	if b := ProblemOf(err); b.Field != "title" || b.Status != 400 || b.Type != ProblemTypeBase+EInvalid {
		t.Fatalf("body %+v", b)
	}
}
