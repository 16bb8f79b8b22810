package qrcircles

import (
	"errors"
	"fmt"
	"testing"
)

// TestExplain: the caller's words go on an error of the code only; an outage and other codes
// pass through, and the cause stays in the chain.
func TestExplain(t *testing.T) {
	stored := &Error{Code: ENotFound, Message: "Not found."}
	wrapped := fmt.Errorf("circle: %w", stored)
	outage := fmt.Errorf("circle: %w: %w", ErrVerifierUnavailable, stored)
	tests := []struct {
		name string
		err  error
		code string
		want string // the message answered; "" for the error as it was
	}{
		{"not found", wrapped, ENotFound, "No such circle."},
		{"other code", wrapped, EConflict, ""},
		{"conflict", &Error{Code: EConflict, Message: "done"}, EConflict, "No such circle."},
		{"internal", errors.New("disk"), ENotFound, ""},
		{"outage", outage, ENotFound, ""},
		{"nil", nil, ENotFound, ""},
	}
	for _, tt := range tests {
		got := Explain(tt.err, tt.code, "No such circle.")
		if tt.want == "" {
			if got != tt.err {
				t.Errorf("%s: %v, want it unchanged", tt.name, got)
			}
			continue
		}
		e, ok := ErrorOf(got)
		if !ok || e.Code != tt.code || e.Message != tt.want || !errors.Is(got, tt.err) {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
}
