package authz_test

import (
	"slices"
	"testing"

	"qrcircles/authz"
	"qrcircles/templates"
)

// TestConsentExplainsEveryScope: the consent page has words for every scope the server
// grants, and for no other.
func TestConsentExplainsEveryScope(t *testing.T) {
	known := slices.Sorted(slices.Values(authz.Scopes))
	if got := templates.DescribedScopes(); !slices.Equal(got, known) {
		t.Fatalf("the consent page explains %v; the server knows %v", got, known)
	}
}
