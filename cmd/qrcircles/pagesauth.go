package main

import (
	"context"
	"net/http"

	"qrcircles"

	"qrcircles/authz"
	"qrcircles/resource/web"
	"qrcircles/storage"
)

// pagesAuth is the authorization server as the pages see it (web.Auth): the pages do not
// import authz, the binary joins the two here.
type pagesAuth struct {
	*authz.Server
	clients interface {
		Client(ctx context.Context, id string) (*storage.OAuthClient, error)
	}
}

var _ web.Auth = pagesAuth{}

// Session is the signed-in user, without the time of sign-in the pages do not need.
func (a pagesAuth) Session(r *http.Request) (qrcircles.User, bool, error) {
	u, ok, err := a.Server.Session(r)
	return u.User, ok, err
}

// EmbedOrigin checks the client's web origins in the clients' store.
func (a pagesAuth) EmbedOrigin(ctx context.Context, clientID, origin string) (string, string, error) {
	c, norm, err := authz.EmbedOrigin(ctx, a.clients, clientID, origin)
	if err != nil {
		return "", "", err
	}
	return c.Name, norm, nil
}
