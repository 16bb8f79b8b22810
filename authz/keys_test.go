package authz_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"

	"qrcircles/authz"
	"qrcircles/storage/storagetest"
)

func kidOf(t *testing.T, k any) string {
	t.Helper()
	jwk, ok := k.(*jose.JSONWebKey)
	if !ok || jwk.KeyID == "" {
		t.Fatalf("signing key %T without an ID", k)
	}
	return jwk.KeyID
}

func TestSigningKeysSurviveRestartsAndRotate(t *testing.T) {
	db := storagetest.Open(t)
	ctx := context.Background()
	secret := []byte(strings.Repeat("s", 32))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	first, err := authz.NewKeys(db, secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.EnsureKey(ctx, t0); err != nil {
		t.Fatal(err)
	}
	k1, _ := first.Current(ctx)
	// A restart (a new Keys on the same database) signs with the same key.
	restarted, _ := authz.NewKeys(db, secret)
	if err := restarted.EnsureKey(ctx, t0); err != nil {
		t.Fatal(err)
	}
	k1again, _ := restarted.Current(ctx)
	if kidOf(t, k1) != kidOf(t, k1again) {
		t.Fatal("a restart made a new signing key")
	}

	kid2, err := restarted.Rotate(ctx, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if k2, _ := restarted.Current(ctx); kidOf(t, k2) != kid2 {
		t.Fatal("the new key does not sign")
	}
	set, err := restarted.Public(ctx, t0.Add(30*time.Minute))
	if err != nil || len(set.Keys) != 2 || set.Keys[0].KeyID != kid2 || set.Keys[1].KeyID != kidOf(t, k1) {
		t.Fatalf("JWKS right after rotation: %+v %v", set.Keys, err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			t.Fatal("JWKS holds a private key")
		}
	}
	// Once every token the old key signed has expired, it leaves the JWKS.
	set, _ = restarted.Public(ctx, t0.Add(time.Minute+authz.AccessTokenLifespan+time.Second))
	if len(set.Keys) != 1 || set.Keys[0].KeyID != kid2 {
		t.Fatalf("JWKS after the old tokens expired: %+v", set.Keys)
	}

	// Keys are sealed with the system secret: another secret cannot use them.
	other, _ := authz.NewKeys(db, []byte(strings.Repeat("x", 32)))
	if _, err := other.Current(ctx); err == nil {
		t.Fatal("keys opened with the wrong secret")
	}
}
