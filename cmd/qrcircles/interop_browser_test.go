package main

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"qrcircles/authz"
)

// browserApp serves the partner's browser app (testdata/interop-node/browser-app.html and its
// module, with oauth4webapi from the project's node_modules) on an origin of its own.
func browserApp(t *testing.T, data map[string]string) *httptest.Server {
	t.Helper()
	page := template.Must(template.ParseFiles(filepath.Join(interopNodeDir, "browser-app.html")))
	files := map[string]string{
		"/browser-app.mjs":                          "browser-app.mjs",
		"/node_modules/oauth4webapi/build/index.js": "node_modules/oauth4webapi/build/index.js",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, ok := files[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			http.ServeFile(w, r, filepath.Join(interopNodeDir, f))
			return
		}
		if r.URL.Path != "/" && r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := page.Execute(w, data); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestInteropBrowserApp runs the browser app of docs/partners.md in headless Chromium: on its
// own origin, a public client that must push its requests (PAR) signs a person in with PKCE
// (oauth4webapi: state, RFC 9207 iss, ID token claims and signature), asks userinfo, and signs
// out by revoking its token, every call going cross-origin to the server.
func TestInteropBrowserApp(t *testing.T) {
	exe := chromiumPath(t)
	interopModule(t, "oauth4webapi")
	s := newSite(t)
	data := map[string]string{"Issuer": s.base}
	app := browserApp(t, data)
	c, _, err := s.app.authz.Clients().Create(context.Background(), authz.ClientSpec{
		Name: "Example browser app", Public: true, RedirectURIs: []string{app.URL + "/callback"}, WebOrigins: []string{app.URL},
		Scopes: []string{"openid", "profile", "circles:read"}, Grants: []string{authz.GrantAuthorizationCode}, RequirePAR: true,
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data["ClientID"] = c.ID

	const phone = "+8613800000456"
	p := s.chrome(t, exe, "browser-app", "en", byAcceptLanguage, screenshotDir(t, "browser-app"))
	p.do("open the app", chromedp.Navigate(app.URL))
	p.until("the sign-in button", `!document.querySelector("#sign-in").hidden || document.querySelector("#result").textContent`)
	if r := p.text("#result"); r != "" {
		p.fail("the app could not start: %s", r)
	}
	p.click("#sign-in")
	p.signIn(s, phone, "Bea Browser", false)
	p.at("/oauth2/auth", `button[name="decision"][value="allow"]`)
	p.click(`button[name="decision"][value="allow"]`)
	p.until("the app's result", `location.origin === `+strconv.Quote(app.URL)+` && document.querySelector("#result").textContent !== ""`)

	var got struct {
		Iss, Sub, Name, Scope, Error string
		Aud                          json.RawMessage
		AfterSignOut                 any
	}
	raw := p.text("#result")
	if err := json.Unmarshal([]byte(raw), &got); err != nil || got.Error != "" {
		p.fail("the app says %s (%v)", raw, err)
	}
	u, err := s.db.UserByPhone(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	if got.Iss != s.base || got.Sub != strconv.FormatInt(u.ID, 10) || !audienceHas(got.Aud, c.ID) || got.Name != "Bea Browser" ||
		!sameScopes(got.Scope, []string{"openid", "profile", "circles:read"}) || got.AfterSignOut != float64(http.StatusUnauthorized) {
		p.fail("the app's result: %s", raw)
	}
	if where, _ := eval[string](p, `location.href`); where != app.URL+"/callback" {
		p.fail("the code stayed in the address bar: %s", where)
	}
}
