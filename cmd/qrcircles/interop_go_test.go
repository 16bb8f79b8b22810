package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestInteropGoOAuth2 runs the interop table with the server app written in Go on
// golang.org/x/oauth2 and github.com/coreos/go-oidc/v3, with their defaults: go-oidc checks the
// discovered issuer and the ID token's signature, issuer, audience and expiry; x/oauth2
// authenticates with HTTP Basic first (the client's registered method).
func TestInteropGoOAuth2(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newInteropWorld(t, db, qrcircles.AuthMethodSecretBasic)
		app := &goServerApp{w: w, ctx: t.Context()}
		checkInteropRun(t, w, runSteps(app.steps()))
	})
}

// runSteps runs a Go library's steps in the table's order, up to the first error, and reports
// them as interop.mjs does.
func runSteps(steps map[string]func() (any, error)) []stepOutput {
	var outs []stepOutput
	for _, s := range interopSteps {
		run, ok := steps[s.name]
		if !ok {
			return append(outs, stepOutput{Step: s.name, Error: mustMarshal(refusal{Message: "the library has no such step"})})
		}
		res, err := run()
		if err != nil {
			return append(outs, stepOutput{Step: s.name, Error: mustMarshal(refusalOf(err))})
		}
		outs = append(outs, stepOutput{Step: s.name, Result: mustMarshal(res)})
	}
	return outs
}

func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// refusalOf is how x/oauth2 reports an error: RetrieveError carries the server's OAuth error.
func refusalOf(err error) refusal {
	r := refusal{Message: err.Error()}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		r.Error = re.ErrorCode
	}
	return r
}

// goServerApp is the server app of interop.mjs on x/oauth2 and go-oidc.
type goServerApp struct {
	w        *interopWorld
	ctx      context.Context
	provider *oidc.Provider
	meta     struct {
		Issuer        string   `json:"issuer"`
		AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
		ISSSupported  bool     `json:"authorization_response_iss_parameter_supported"`
		Introspection string   `json:"introspection_endpoint"`
		Revocation    string   `json:"revocation_endpoint"`
	}
	conf                   oauth2.Config
	backend                *oauth2.Token
	state, nonce, verifier string
	tok, refreshed, scan   *oauth2.Token
	idToken                *oidc.IDToken
}

func (a *goServerApp) steps() map[string]func() (any, error) {
	return map[string]func() (any, error){
		"discovery":          a.discovery,
		"client_credentials": a.clientCredentials,
		"authorization_code": a.authorizationCode,
		"id_token":           a.verifyIDToken,
		"userinfo":           a.userinfo,
		"introspection":      func() (any, error) { return a.call(a.meta.Introspection, url.Values{"token": {a.tok.AccessToken}}) },
		"token_exchange":     a.tokenExchange,
		"join":               a.join,
		"refresh":            a.refresh,
		"refresh_replay":     a.refreshReplay,
		"revocation":         a.revocation,
	}
}

func (a *goServerApp) discovery() (any, error) {
	p, err := oidc.NewProvider(a.ctx, a.w.base) // refuses metadata naming another issuer
	if err != nil {
		return nil, err
	}
	if err := p.Claims(&a.meta); err != nil {
		return nil, err
	}
	a.provider = p
	a.conf = oauth2.Config{ClientID: a.w.clientID, ClientSecret: a.w.secret, Endpoint: p.Endpoint(),
		RedirectURL: a.w.redirect, Scopes: interopScopes}
	return map[string]any{"issuer": a.meta.Issuer, "iss_parameter_supported": a.meta.ISSSupported,
		"token_endpoint_auth_methods": a.meta.AuthMethods}, nil
}

func (a *goServerApp) clientCredentials() (any, error) {
	cc := clientcredentials.Config{ClientID: a.w.clientID, ClientSecret: a.w.secret,
		TokenURL: a.conf.Endpoint.TokenURL, Scopes: []string{"circles:read"}}
	var err error
	if a.backend, err = cc.Token(a.ctx); err != nil {
		return nil, err
	}
	return map[string]any{"access_token": a.backend.AccessToken, "scope": a.backend.Extra("scope"), "token_type": a.backend.TokenType}, nil
}

func (a *goServerApp) authorizationCode() (any, error) {
	a.verifier, a.state, a.nonce = oauth2.GenerateVerifier(), rand.Text(), rand.Text()
	callback, err := a.w.authorize(a.conf.AuthCodeURL(a.state, oauth2.S256ChallengeOption(a.verifier), oidc.Nonce(a.nonce)))
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(callback)
	if err != nil {
		return nil, err
	}
	// A response that claims another issuer (a mix-up attack) is refused before the code is
	// spent.
	forged := *u
	q := u.Query()
	q.Set("iss", "https://attacker.example")
	forged.RawQuery = q.Encode()
	_, forgedErr := a.authorizationResponse(&forged)
	if forgedErr == nil {
		return nil, errors.New("a response naming another issuer was accepted")
	}
	code, err := a.authorizationResponse(u)
	if err != nil {
		return nil, err
	}
	if a.tok, err = a.conf.Exchange(a.ctx, code, oauth2.VerifierOption(a.verifier)); err != nil {
		return nil, err
	}
	var iss *string
	if u.Query().Has("iss") {
		s := u.Query().Get("iss")
		iss = &s
	}
	_, hasID := a.tok.Extra("id_token").(string)
	return map[string]any{"iss": iss, "forged_iss": refusalOf(forgedErr),
		"access_token": a.tok.AccessToken, "refresh_token": a.tok.RefreshToken, "has_id_token": hasID,
		"scope": a.tok.Extra("scope")}, nil
}

// authorizationResponse checks the redirect back as x/oauth2 leaves to its user: the state,
// an error, and the issuer (RFC 9207: when present it must be the issuer; when discovery
// says the server sends it, it must be there).
func (a *goServerApp) authorizationResponse(u *url.URL) (string, error) {
	q := u.Query()
	switch {
	case q.Has("iss") && q.Get("iss") != a.meta.Issuer:
		return "", fmt.Errorf(`unexpected "iss" (issuer) %q in the authorization response`, q.Get("iss"))
	case !q.Has("iss") && a.meta.ISSSupported:
		return "", errors.New(`the authorization response has no "iss" (issuer)`)
	case q.Get("state") != a.state:
		return "", errors.New("the authorization response's state is not ours")
	case q.Get("error") != "":
		return "", fmt.Errorf("authorization refused: %s %s", q.Get("error"), q.Get("error_description"))
	}
	return q.Get("code"), nil
}

// idTokenOf verifies a token response's ID token: go-oidc checks signature, issuer, audience
// and expiry. The nonce is the app's to compare; an ID token from a refresh has none.
func (a *goServerApp) idTokenOf(tok *oauth2.Token, nonce string) (*oidc.IDToken, error) {
	raw, _ := tok.Extra("id_token").(string)
	idt, err := a.provider.Verifier(&oidc.Config{ClientID: a.w.clientID}).Verify(a.ctx, raw)
	if err != nil {
		return nil, err
	}
	if idt.Nonce != nonce {
		return nil, fmt.Errorf("the ID token's nonce is %q, want %q", idt.Nonce, nonce)
	}
	return idt, nil
}

func (a *goServerApp) verifyIDToken() (any, error) {
	var err error
	if a.idToken, err = a.idTokenOf(a.tok, a.nonce); err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := a.idToken.Claims(&claims); err != nil {
		return nil, err
	}
	return map[string]any{"claims": claims, "expected_nonce": a.nonce}, nil
}

func (a *goServerApp) userinfo() (any, error) {
	info, err := a.provider.UserInfo(a.ctx, oauth2.StaticTokenSource(a.tok))
	if err != nil {
		return nil, err
	}
	if info.Subject != a.idToken.Subject {
		return nil, fmt.Errorf("userinfo is about %q, the ID token about %q", info.Subject, a.idToken.Subject)
	}
	var claims map[string]any
	return claims, info.Claims(&claims)
}

// tokenExchange asks for a scan session (RFC 8693). x/oauth2 has no such grant; its
// client-credentials source may name another grant type and authenticates as for any grant.
func (a *goServerApp) tokenExchange() (any, error) {
	cc := clientcredentials.Config{ClientID: a.w.clientID, ClientSecret: a.w.secret, TokenURL: a.conf.Endpoint.TokenURL,
		EndpointParams: url.Values{"grant_type": {authz.GrantTokenExchange}, "subject_token": {a.tok.AccessToken},
			"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"}, "audience": {a.w.circleURL}}}
	var err error
	if a.scan, err = cc.Token(a.ctx); err != nil {
		return nil, err
	}
	return map[string]any{"access_token": a.scan.AccessToken, "circle_id": a.scan.Extra("circle_id"),
		"scope": a.scan.Extra("scope"), "issued_token_type": a.scan.Extra("issued_token_type")}, nil
}

func (a *goServerApp) join() (any, error) {
	id, _ := a.scan.Extra("circle_id").(float64)
	req, err := http.NewRequestWithContext(a.ctx, "POST", fmt.Sprintf("%s/api/v1/circles/%d/join", a.meta.Issuer, int64(id)), nil)
	if err != nil {
		return nil, err
	}
	res, err := oauth2.NewClient(a.ctx, oauth2.StaticTokenSource(a.scan)).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, err
	}
	return map[string]any{"status": res.StatusCode, "body": body}, nil
}

func (a *goServerApp) refresh() (any, error) {
	var err error
	if a.refreshed, err = a.conf.TokenSource(a.ctx, &oauth2.Token{RefreshToken: a.tok.RefreshToken}).Token(); err != nil {
		return nil, err
	}
	idt, err := a.idTokenOf(a.refreshed, "")
	if err != nil {
		return nil, err
	}
	if idt.Subject != a.idToken.Subject {
		return nil, fmt.Errorf("the refreshed ID token is about %q, the first about %q", idt.Subject, a.idToken.Subject)
	}
	return map[string]any{"access_token": a.refreshed.AccessToken, "refresh_token": a.refreshed.RefreshToken, "sub": idt.Subject}, nil
}

func (a *goServerApp) refreshReplay() (any, error) {
	_, err := a.conf.TokenSource(a.ctx, &oauth2.Token{RefreshToken: a.tok.RefreshToken}).Token()
	if err == nil {
		return nil, errors.New("a used refresh token was accepted again")
	}
	in, ierr := a.call(a.meta.Introspection, url.Values{"token": {a.refreshed.AccessToken}})
	if ierr != nil {
		return nil, ierr
	}
	_, uerr := a.provider.UserInfo(a.ctx, oauth2.StaticTokenSource(a.refreshed))
	if uerr == nil {
		return nil, errors.New("userinfo answered for a revoked token")
	}
	return map[string]any{"replay": refusalOf(err), "newest_access_token_active": in["active"], "userinfo": refusalOf(uerr)}, nil
}

func (a *goServerApp) revocation() (any, error) {
	token := url.Values{"token": {a.backend.AccessToken}}
	before, err := a.call(a.meta.Introspection, token)
	if err != nil {
		return nil, err
	}
	if _, err := a.call(a.meta.Revocation, token); err != nil {
		return nil, err
	}
	after, err := a.call(a.meta.Introspection, token)
	return map[string]any{"before": before, "after": after}, err
}

// call posts a form to an endpoint x/oauth2 does not cover (introspection, revocation),
// authenticating as the client with HTTP Basic, and decodes a JSON answer if there is one.
func (a *goServerApp) call(endpoint string, form url.Values) (map[string]any, error) {
	req, err := http.NewRequestWithContext(a.ctx, "POST", endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(a.w.clientID), url.QueryEscape(a.w.secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s %s", endpoint, res.Status, raw)
	}
	out := map[string]any{}
	if len(raw) > 0 {
		err = json.Unmarshal(raw, &out)
	}
	return out, err
}
