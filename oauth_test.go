package qrcircles

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestOAuthClientDefaults: a client that lists no grant or response types has those of
// OpenID Connect registration; one that lists them has its own.
func TestOAuthClientDefaults(t *testing.T) {
	bare := &OAuthClient{ID: "bare"}
	if !slices.Equal(bare.Grants(), []string{"authorization_code"}) || !slices.Equal(bare.Responses(), []string{"code"}) {
		t.Errorf("defaults: grants %v, responses %v", bare.Grants(), bare.Responses())
	}
	own := &OAuthClient{ID: "own", GrantTypes: []string{"client_credentials"}, ResponseTypes: []string{"none"}}
	if !slices.Equal(own.Grants(), own.GrantTypes) || !slices.Equal(own.Responses(), own.ResponseTypes) {
		t.Errorf("own: grants %v, responses %v", own.Grants(), own.Responses())
	}
}

func TestOAuthClientNormalize(t *testing.T) {
	keys := json.RawMessage(`{"keys":[{"kty":"EC"}]}`)
	tests := []struct {
		name     string
		in       OAuthClient
		wantAuth string // "" when Normalize refuses the client
		keysKept bool
	}{
		{"a public client authenticates with none", OAuthClient{ID: "p", Public: true}, AuthMethodNone, false},
		{"a confidential client defaults to Basic", OAuthClient{ID: "c"}, AuthMethodSecretBasic, false},
		{"a key client with a set", OAuthClient{ID: "k", TokenEndpointAuthMethod: AuthMethodPrivateKeyJWT, JWKS: keys}, AuthMethodPrivateKeyJWT, true},
		{"a key client with a URI", OAuthClient{ID: "u", TokenEndpointAuthMethod: AuthMethodPrivateKeyJWT, JWKSURI: "https://k.example/jwks"}, AuthMethodPrivateKeyJWT, false},
		{"an empty set is no set", OAuthClient{ID: "e", JWKS: json.RawMessage(`{"keys":[]}`)}, AuthMethodSecretBasic, false},
		{"no id", OAuthClient{}, "", false},
		{"a public client with a secret method", OAuthClient{ID: "p", Public: true, TokenEndpointAuthMethod: AuthMethodSecretPost}, "", false},
		{"a confidential client with none", OAuthClient{ID: "c", TokenEndpointAuthMethod: AuthMethodNone}, "", false},
		{"a secret client with keys", OAuthClient{ID: "s", JWKS: keys}, "", false},
		{"a key client without keys", OAuthClient{ID: "k", TokenEndpointAuthMethod: AuthMethodPrivateKeyJWT, JWKS: json.RawMessage(`{"keys":[]}`)}, "", false},
		{"a key client with both", OAuthClient{ID: "k", TokenEndpointAuthMethod: AuthMethodPrivateKeyJWT, JWKS: keys, JWKSURI: "https://k.example/jwks"}, "", false},
		{"keys that are no key set", OAuthClient{ID: "k", TokenEndpointAuthMethod: AuthMethodPrivateKeyJWT, JWKS: json.RawMessage(`["k"]`)}, "", false},
		{"an unknown method", OAuthClient{ID: "x", TokenEndpointAuthMethod: "client_secret_jwt"}, "", false},
	}
	for _, tt := range tests {
		c := tt.in
		err := c.Normalize()
		switch {
		case tt.wantAuth == "" && err == nil:
			t.Errorf("%s: accepted as %q", tt.name, c.TokenEndpointAuthMethod)
		case tt.wantAuth != "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantAuth != "" && (c.TokenEndpointAuthMethod != tt.wantAuth || (c.JWKS != nil) != tt.keysKept):
			t.Errorf("%s: method %q, keys %s; want %q, kept %v", tt.name, c.TokenEndpointAuthMethod, c.JWKS, tt.wantAuth, tt.keysKept)
		}
	}
}
