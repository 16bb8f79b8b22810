package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"

	"qrcircles/storage/storagetest"
)

func testKeySets(t *testing.T) (public, private string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	priv, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	return string(pub), string(priv)
}

// listedClient is a client as `client list --json` shows it.
type listedClient struct {
	ID         string `json:"client_id"`
	AuthMethod string `json:"token_endpoint_auth_method"`
	JWKSURI    string `json:"jwks_uri"`
}

func TestClientCreateAuthMethods(t *testing.T) {
	data := t.TempDir()
	pub, priv := testKeySets(t)
	jwksFile := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(jwksFile, []byte(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	cc := []string{"--confidential", "--grant", "client_credentials", "--scope", "circles:read"}
	tests := []struct {
		name       string
		args       []string
		method     string // "" means: refused
		withSecret bool
	}{
		{"confidential, default", cc, "client_secret_post", true},
		{"confidential, HTTP Basic", append(cc, "--auth-method", "client_secret_basic"), "client_secret_basic", true},
		{"private_key_jwt, JWKS file", append(cc, "--auth-method", "private_key_jwt", "--jwks", jwksFile), "private_key_jwt", false},
		{"JWKS given inline, method implied", append(cc, "--jwks", pub), "private_key_jwt", false},
		{"private_key_jwt, JWKS URI", append(cc, "--jwks-uri", "https://partner.example/jwks.json"), "private_key_jwt", false},
		{"public", []string{"--public", "--redirect-uri", "com.example.scanner:/oauth2/callback"}, "none", false},

		{"public with a secret method", []string{"--public", "--redirect-uri", "https://p.example/cb", "--auth-method", "client_secret_post"}, "", false},
		{"confidential with none", append(cc, "--auth-method", "none"), "", false},
		{"unknown method", append(cc, "--auth-method", "client_secret_jwt"), "", false},
		{"private_key_jwt without keys", append(cc, "--auth-method", "private_key_jwt"), "", false},
		{"JWKS and JWKS URI", append(cc, "--jwks", pub, "--jwks-uri", "https://partner.example/jwks.json"), "", false},
		{"a private key", append(cc, "--jwks", priv), "", false},
		{"not a key set", append(cc, "--jwks", `{"keys":"no"}`), "", false},
		{"JWKS URI over plain http", append(cc, "--jwks-uri", "http://partner.example/jwks.json"), "", false},
		{"keys with a secret method", append(cc, "--auth-method", "client_secret_basic", "--jwks", pub), "", false},
		{"private-use scheme not reverse-domain", []string{"--public", "--redirect-uri", "myapp:/callback"}, "", false},
		{"javascript redirect", []string{"--public", "--redirect-uri", "javascript:alert(1)"}, "", false},
		{"private-use scheme, confidential", []string{"--confidential", "--redirect-uri", "com.example.app:/cb"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, data, append([]string{"client", "create", "--name", "X", "--json"}, tt.args...)...)
			if tt.method == "" {
				if err == nil {
					t.Fatalf("accepted: %s", out)
				}
				return
			}
			var created struct {
				ID     string `json:"client_id"`
				Secret string `json:"client_secret"`
			}
			if err != nil || json.Unmarshal([]byte(out), &created) != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if (created.Secret != "") != tt.withSecret {
				t.Fatalf("secret %q printed; want one: %v", created.Secret, tt.withSecret)
			}
			list, _ := run(t, data, "client", "list", "--json")
			var cs []listedClient
			_ = json.Unmarshal([]byte(list), &cs)
			for _, c := range cs {
				if c.ID == created.ID && c.AuthMethod == tt.method {
					return
				}
			}
			t.Fatalf("client %s not listed with %s: %s", created.ID, tt.method, list)
		})
	}
	out, _ := run(t, data, "client", "create", "--name", "K", "--json", "--jwks", pub, "--confidential", "--grant", "client_credentials", "--scope", "circles:read")
	var created struct {
		ID string `json:"client_id"`
	}
	_ = json.Unmarshal([]byte(out), &created)
	if _, err := run(t, data, "client", "rotate-secret", created.ID); err == nil {
		t.Fatal("a private_key_jwt client got a secret")
	}
}

// The default of `client create --confidential` is what openid-client's shortest form,
// discovery(issuer, id, secret), sends: client_secret_post. The secret then works in the body
// and not in HTTP Basic.
func TestDefaultConfidentialClientTakesTheSecretInTheBody(t *testing.T) {
	w := newWorld(t, storagetest.Open(t))
	var f clientFlags
	f.confidenti = true
	id, secret := createFromFlags(t, w, f)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"circles:read"}}
	body := url.Values{"client_id": {id}, "client_secret": {secret}}
	for k, v := range form {
		body[k] = v
	}
	if res := postForm(t, w.base+"/oauth2/token", body, nil); res.StatusCode != 200 {
		t.Fatalf("client_secret_post: %d", res.StatusCode)
	}
	res := postForm(t, w.base+"/oauth2/token", form, func(r *http.Request) { r.SetBasicAuth(id, secret) })
	if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("HTTP Basic for a client_secret_post client: %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}
}

// createFromFlags registers a client as `client create` does with these flags.
func createFromFlags(t *testing.T, w *world, f clientFlags) (id, secret string) {
	t.Helper()
	spec, err := f.spec()
	if err != nil {
		t.Fatal(err)
	}
	spec.Name, spec.Scopes, spec.Grants = "Back end", []string{"circles:read"}, []string{"client_credentials"}
	c, secret, err := w.app.authz.Clients().Create(context.Background(), spec, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, secret
}

func postForm(t *testing.T, target string, form url.Values, edit func(*http.Request)) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if edit != nil {
		edit(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}
