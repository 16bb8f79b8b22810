package storage_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"

	"github.com/go-jose/go-jose/v3"

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
		set := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}}
		withSet := &storage.OAuthClient{ID: "jwks", TokenEndpointAuthMethod: storage.AuthMethodPrivateKeyJWT, JWKS: set}
		withURI := &storage.OAuthClient{ID: "jwks-uri", TokenEndpointAuthMethod: storage.AuthMethodPrivateKeyJWT, JWKSURI: "https://partner.example/jwks.json"}
		for _, c := range []*storage.OAuthClient{withSet, withURI} {
			if err := db.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Client(ctx, "jwks")
		if err != nil {
			t.Fatal(err)
		}
		if got.TokenEndpointAuthMethod != storage.AuthMethodPrivateKeyJWT || got.JWKS == nil || len(got.JWKS.Key("k1")) != 1 || got.JWKSURI != "" {
			t.Fatalf("client with a JWKS came back as %+v", got)
		}
		if k, ok := got.JWKS.Key("k1")[0].Key.(*ecdsa.PublicKey); !ok || !k.Equal(&priv.PublicKey) {
			t.Fatalf("the stored key changed: %#v", got.JWKS.Key("k1")[0].Key)
		}
		// fosite must see no keys, or it would take request objects signed with them.
		if got.GetJSONWebKeys() != nil || got.GetJSONWebKeysURI() != "" {
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

		bad := map[string]*storage.OAuthClient{
			"private_key_jwt without keys":    {ID: "b1", TokenEndpointAuthMethod: storage.AuthMethodPrivateKeyJWT},
			"private_key_jwt with both":       {ID: "b2", TokenEndpointAuthMethod: storage.AuthMethodPrivateKeyJWT, JWKS: set, JWKSURI: "https://x.example/k"},
			"a secret client with keys":       {ID: "b3", TokenEndpointAuthMethod: storage.AuthMethodSecretBasic, JWKSURI: "https://x.example/k"},
			"a public client with keys":       {ID: "b4", Public: true, JWKS: set},
			"an unknown method":               {ID: "b5", TokenEndpointAuthMethod: "client_secret_jwt"},
			"a public client with a key auth": {ID: "b6", Public: true, TokenEndpointAuthMethod: storage.AuthMethodPrivateKeyJWT, JWKS: set},
		}
		for name, c := range bad {
			if err := db.CreateClient(ctx, c); err == nil {
				t.Errorf("%s was accepted", name)
			}
		}
	})
}
