package storage_test

import (
	"errors"
	"fmt"
	"testing"

	"qrcircles"
	"qrcircles/storage"
)

// TestStorageErrorsCarryDomainCodes: storage's not-found and conflict reach the one mapping
// of errors to HTTP with their codes, wrapped or not, while a caller's own error about them
// still wins and errors.Is still finds them.
func TestStorageErrorsCarryDomainCodes(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		is     error
	}{
		{"not found", storage.ErrNotFound, 404, storage.ErrNotFound},
		{"wrapped not found", fmt.Errorf("circle 7: %w", storage.ErrNotFound), 404, storage.ErrNotFound},
		{"wrapped conflict", fmt.Errorf("card request 3 is accepted: %w", storage.ErrConflict), 409, storage.ErrConflict},
		{"a caller's own words win", &qrcircles.Error{Code: qrcircles.EGone, Message: "Closed.", Err: storage.ErrNotFound}, 410, storage.ErrNotFound},
		{"an outage wins", fmt.Errorf("%w: %w", storage.ErrUnavailable, storage.ErrNotFound), 503, storage.ErrUnavailable},
		{"anything else is internal", errors.New("disk on fire"), 500, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := qrcircles.ProblemOf(tt.err); got.Status != tt.status {
				t.Fatalf("status %d, want %d (%+v)", got.Status, tt.status, got)
			}
			if tt.is != nil && !errors.Is(tt.err, tt.is) {
				t.Fatalf("errors.Is lost %v", tt.is)
			}
		})
	}
}
