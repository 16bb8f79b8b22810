package storage_test

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// pushedRequest is a pushed authorization request of the client that expires at exp.
func pushedRequest(clientID string, exp time.Time) *fosite.AuthorizeRequest {
	ar := fosite.NewAuthorizeRequest()
	ar.Request = *newRequest(clientID, "par-"+clientID, exp)
	ar.Session.(*openid.DefaultSession).SetExpiresAt(fosite.PushedAuthorizeRequestContext, exp)
	ar.RedirectURI, _ = url.Parse("https://app.example/cb")
	ar.ResponseTypes = fosite.Arguments{"code"}
	ar.State = "state-abcdefgh"
	ar.Form.Set("prompt", "login")
	return ar
}

func TestPushedAuthorizationRequests(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "par-client")
		in := pushedRequest("par-client", time.Now().Add(time.Minute))
		const uri = "urn:ietf:params:oauth:request_uri:first"
		if err := db.CreatePARSession(ctx, uri, in); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetPARSession(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		if got.GetClient().GetID() != "par-client" || got.GetRedirectURI().String() != "https://app.example/cb" ||
			got.GetState() != in.State || !got.GetResponseTypes().ExactOne("code") ||
			got.GetRequestForm().Get("prompt") != "login" || got.GetRequestForm().Get("client_secret") != "" ||
			got.GetID() != in.ID {
			t.Fatalf("read back %+v", got)
		}
		if err := db.DeletePARSession(ctx, uri); err != nil {
			t.Fatalf("fosite's delete after the read: %v", err)
		}
		if _, err := db.GetPARSession(ctx, uri); !errors.Is(err, storage.ErrNotFound) || !errors.Is(err, fosite.ErrNotFound) {
			t.Fatalf("second use of a request_uri: %v", err)
		}

		const expired = "urn:ietf:params:oauth:request_uri:expired"
		if err := db.CreatePARSession(ctx, expired, pushedRequest("par-client", time.Now().Add(-time.Second))); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetPARSession(ctx, expired); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("expired request_uri: %v", err)
		}
	})
}

func TestPushedRequestIsTakenOnceUnderConcurrency(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "par-client")
		const uri = "urn:ietf:params:oauth:request_uri:raced"
		if err := db.CreatePARSession(ctx, uri, pushedRequest("par-client", time.Now().Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		taken := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.GetPARSession(ctx, uri); err == nil {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if taken != 1 {
			t.Fatalf("the request_uri was taken %d times", taken)
		}
	})
}

func TestClientKeepsLogoutURIsAndPARSetting(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := newTestClient(t, db, "spa")
		got, err := db.Client(ctx, "spa")
		if err != nil || got.RequirePAR || got.PostLogoutRedirectURIs == nil || len(got.PostLogoutRedirectURIs) != 0 {
			t.Fatalf("a new client: %+v %v", got, err)
		}
		c.RequirePAR, c.PostLogoutRedirectURIs = true, []string{"https://app.example/bye", "https://app.example/bye2"}
		if err := db.UpdateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err = db.Client(ctx, "spa")
		if err != nil || !got.RequirePAR || len(got.PostLogoutRedirectURIs) != 2 || got.PostLogoutRedirectURIs[1] != "https://app.example/bye2" {
			t.Fatalf("after update: %+v %v", got, err)
		}
	})
}
