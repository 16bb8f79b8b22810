package authz_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// refreshScope sends a refresh request, with a scope parameter unless scope is "-", and returns
// the status and the decoded answer.
func (p *partner) refreshScope(t *testing.T, h *harness, refreshToken, scope string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	if scope != "-" {
		form.Set("scope", scope)
	}
	req, _ := http.NewRequest("POST", h.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.id), url.QueryEscape(p.secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("refresh answer: %v", err)
	}
	return res.StatusCode, out
}

func scopesOf(v any) []string {
	s, _ := v.(string)
	out := strings.Fields(s)
	slices.Sort(out)
	return out
}

// TestRefreshScope: a refresh with a narrower scope gets an access token with only that
// scope (and the refresh token keeps the whole grant); a scope beyond the grant is
// invalid_scope and leaves the refresh token usable.
func TestRefreshScope(t *testing.T) {
	grant := []string{"cards:read", "circles:read", "offline_access", "openid"}
	tests := []struct {
		name  string
		scope string   // "-": no scope parameter
		want  []string // the new access token's scopes; nil: invalid_scope
	}{
		{"no scope keeps the grant", "-", grant},
		{"empty scope keeps the grant", "", grant},
		{"one scope", "circles:read", []string{"circles:read"}},
		{"two scopes, repeated", "cards:read circles:read cards:read", []string{"cards:read", "circles:read"}},
		{"without openid and offline_access", "cards:read", []string{"cards:read"}},
		{"the whole grant", strings.Join(grant, " "), grant},
		{"a scope the client has but the grant lacks", "circles:read messages:read", nil},
		{"an unknown scope", "circles:read admin", nil},
		{"another case", "Circles:Read", nil},
	}
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		p := newPartner(t, h, "openid", "offline_access", "circles:read", "cards:read", "messages:read")
		p.conf.Scopes = grant // the client may have messages:read; this grant has not
		b := h.browser()
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				verifier := oauth2.GenerateVerifier()
				code := p.authorize(t, b, "13900139100", "Refresher", verifier, "nonce-refresh-"+tt.name[:3]+string(rune('a'+i)))
				tok, err := p.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
				if err != nil {
					t.Fatal(err)
				}
				status, out := p.refreshScope(t, h, tok.RefreshToken, tt.scope)
				if tt.want == nil {
					if status != http.StatusBadRequest || out["error"] != "invalid_scope" {
						t.Fatalf("refresh with scope %q: %d %v, want invalid_scope", tt.scope, status, out)
					}
					// Nothing was used up: the same refresh token still works, with the whole grant.
					if status, out = p.refreshScope(t, h, tok.RefreshToken, "-"); status != 200 || !slices.Equal(scopesOf(out["scope"]), grant) {
						t.Fatalf("the refresh token after invalid_scope: %d %v", status, out)
					}
					return
				}
				if status != 200 {
					t.Fatalf("refresh with scope %q: %d %v", tt.scope, status, out)
				}
				at, _ := out["access_token"].(string)
				if got := scopesOf(out["scope"]); !slices.Equal(got, tt.want) {
					t.Errorf("answer's scope %v, want %v", got, tt.want)
				}
				if in := p.introspect(t, h, at); in["active"] != true || !slices.Equal(scopesOf(in["scope"]), tt.want) {
					t.Errorf("the new access token: %v, want scope %v", in, tt.want)
				}
				_, hasID := out["id_token"]
				if hasID != slices.Contains(tt.want, "openid") {
					t.Errorf("id_token given: %v, with scopes %v", hasID, tt.want)
				}
				// The new refresh token keeps the whole grant (RFC 6749 §6), so it can
				// refresh into any part of it again.
				rt, _ := out["refresh_token"].(string)
				if in := p.introspect(t, h, rt); in["active"] != true || !slices.Equal(scopesOf(in["scope"]), grant) {
					t.Errorf("the new refresh token: %v, want scope %v", in, grant)
				}
				if status, out := p.refreshScope(t, h, rt, "cards:read circles:read"); status != 200 ||
					!slices.Equal(scopesOf(out["scope"]), []string{"cards:read", "circles:read"}) {
					t.Errorf("refreshing the new refresh token: %d %v", status, out)
				}
			})
		}
	})
}
