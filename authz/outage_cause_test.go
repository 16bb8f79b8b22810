package authz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ory/fosite"

	"qrcircles/storage"
)

// The outage log must name the database error, which fosite's own messages hide.
func TestOutageCauseLooksThroughFositeErrors(t *testing.T) {
	down := fmt.Errorf("%w: %w", storage.ErrUnavailable, errors.New("dial tcp 127.0.0.1:5499: connect: connection refused"))
	tests := []struct {
		name string
		err  error
	}{
		{"server error", fosite.ErrServerError.WithWrap(down)},
		{"request unauthorized", fosite.ErrRequestUnauthorized.WithWrap(down)},
		{"fosite inside fosite", fosite.ErrServerError.WithWrap(fosite.ErrInvalidClient.WithWrap(down))},
		{"wrapped by us", fmt.Errorf("token exchange: %w", fosite.ErrServerError.WithWrap(down))},
		{"no fosite at all", down},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := outageCause(tt.err).Error()
			if !strings.Contains(got, storage.ErrUnavailable.Error()) || !strings.Contains(got, "connection refused") {
				t.Fatalf("logged %q for %v", got, tt.err)
			}
		})
	}
	if plain := errors.New("plain"); outageCause(plain) != plain {
		t.Fatal("an error without a cause is logged as it is")
	}
}
