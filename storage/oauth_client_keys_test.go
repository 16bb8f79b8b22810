package storage_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

func TestOAuthClientKeys(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
		if err != nil {
			t.Fatal(err)
		}
		withSet := &qrcircles.OAuthClient{ID: "jwks", TokenEndpointAuthMethod: qrcircles.AuthMethodPrivateKeyJWT, JWKS: set}
		withURI := &qrcircles.OAuthClient{ID: "jwks-uri", TokenEndpointAuthMethod: qrcircles.AuthMethodPrivateKeyJWT, JWKSURI: "https://partner.example/jwks.json"}
		for _, c := range []*qrcircles.OAuthClient{withSet, withURI} {
			if err := db.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Client(ctx, "jwks")
		if err != nil {
			t.Fatal(err)
		}
		var stored jose.JSONWebKeySet
		if got.TokenEndpointAuthMethod != qrcircles.AuthMethodPrivateKeyJWT || json.Unmarshal(got.JWKS, &stored) != nil || len(stored.Key("k1")) != 1 || got.JWKSURI != "" {
			t.Fatalf("client with a JWKS came back as %+v", got)
		}
		if k, ok := stored.Key("k1")[0].Key.(*ecdsa.PublicKey); !ok || !k.Equal(&priv.PublicKey) {
			t.Fatalf("the stored key changed: %#v", stored.Key("k1")[0].Key)
		}
		// fosite must see no keys, or it would take request objects signed with them.
		fc, err := db.GetClient(ctx, "jwks")
		if oc, ok := fc.(fosite.OpenIDConnectClient); err != nil || !ok || oc.GetJSONWebKeys() != nil || oc.GetJSONWebKeysURI() != "" {
			t.Fatal("fosite sees the client's keys")
		}
		got, err = db.Client(ctx, "jwks-uri")
		if err != nil || got.JWKSURI != "https://partner.example/jwks.json" || got.JWKS != nil {
			t.Fatalf("client with a JWKS URI came back as %+v, %v", got, err)
		}
		got.JWKSURI = "https://partner.example/keys"
		if err := db.UpdateClient(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got, _ = db.Client(ctx, "jwks-uri"); got.JWKSURI != "https://partner.example/keys" {
			t.Fatalf("update lost the JWKS URI: %q", got.JWKSURI)
		}

		bad := map[string]*qrcircles.OAuthClient{
			"private_key_jwt without keys":    {ID: "b1", TokenEndpointAuthMethod: qrcircles.AuthMethodPrivateKeyJWT},
			"private_key_jwt with both":       {ID: "b2", TokenEndpointAuthMethod: qrcircles.AuthMethodPrivateKeyJWT, JWKS: set, JWKSURI: "https://x.example/k"},
			"a secret client with keys":       {ID: "b3", TokenEndpointAuthMethod: qrcircles.AuthMethodSecretBasic, JWKSURI: "https://x.example/k"},
			"a public client with keys":       {ID: "b4", Public: true, JWKS: set},
			"an unknown method":               {ID: "b5", TokenEndpointAuthMethod: "client_secret_jwt"},
			"a public client with a key auth": {ID: "b6", Public: true, TokenEndpointAuthMethod: qrcircles.AuthMethodPrivateKeyJWT, JWKS: set},
			"keys that are no key set":        {ID: "b7", TokenEndpointAuthMethod: qrcircles.AuthMethodPrivateKeyJWT, JWKS: json.RawMessage(`["k1"]`)},
		}
		for name, c := range bad {
			if err := db.CreateClient(ctx, c); err == nil {
				t.Errorf("%s was accepted", name)
			}
		}
	})
}
