package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrcircles/authz"
	"qrcircles/resource/circles"
	"qrcircles/storage"
)

// Interop: real client libraries run a partner's server app against the whole server, one
// table of steps for every library (TestInteropOpenIDClient: openid-client in Node;
// TestInteropGoOAuth2: golang.org/x/oauth2 with go-oidc). Each library runs the steps in the
// table's order; the table checks what each step returned against what the server knows.

// interopScopes is what the server app asks for when it signs a person in.
var interopScopes = []string{"openid", "profile", "phone", "offline_access", "circles:read", "circles:join"}

// interopWorld is the server with what a run needs: a person with a phone, a circle they may
// join, and the partner's confidential client.
type interopWorld struct {
	*site
	person    storage.User
	circle    storage.Circle
	circleURL string
	clientID  string
	secret    string
	redirect  string
}

func newInteropWorld(t *testing.T, db *storage.DB, authMethod string) *interopWorld {
	t.Helper()
	s := siteOn(t, db)
	ctx := context.Background()
	w := &interopWorld{site: s, redirect: "http://127.0.0.1:9/callback"}
	w.person = s.user("+8613800000321", "Ivy Interop")
	org := s.user("+8613700000321", "Otto Organizer")
	title := "Interop meetup"
	var err error
	if w.circle, err = s.app.circles.Create(ctx, org.ID, circles.Input{Title: &title}); err != nil {
		t.Fatal(err)
	}
	w.circleURL = s.app.circles.URL(w.circle)
	c, secret, err := s.app.authz.Clients().Create(ctx, authz.ClientSpec{
		Name: "Interop Server App", RedirectURIs: []string{w.redirect}, Scopes: interopScopes,
		Grants:     []string{authz.GrantAuthorizationCode, authz.GrantRefreshToken, authz.GrantClientCredentials, authz.GrantTokenExchange},
		AuthMethod: authMethod,
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.clientID, w.secret = c.ID, secret
	return w
}

// authorize plays the person at the browser the app sent to authURL: the sign-in pages (the
// SMS code read from the console sender), consent, and back to the app. It returns the URL
// the browser was sent back to, which the app reads.
func (w *interopWorld) authorize(authURL string) (string, error) {
	jar, _ := cookiejar.New(nil)
	server, _ := url.Parse(w.base)
	b := &browser{s: w.site, client: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Host != server.Host {
				return http.ErrUseLastResponse // the app's redirect URI: the browser leaves
			}
			return nil
		}}}
	req, err := http.NewRequest("GET", authURL, nil)
	if err != nil {
		return "", err
	}
	p := b.do(req)
	if strings.HasPrefix(p.path, "/login") {
		p = b.signIn(p, w.person.Phone, w.person.DisplayName)
	}
	if p.status == http.StatusOK && strings.Contains(p.body, `name="decision"`) {
		p = b.consent(p)
	}
	loc := p.header.Get("Location")
	if p.status/100 != 3 || !strings.HasPrefix(loc, w.redirect) {
		return "", fmt.Errorf("the browser did not come back to the app: at %s (%d) Location %q\n%s", p.path, p.status, loc, p.body)
	}
	return loc, nil
}

var formActionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

// consent allows what the consent page asks.
func (b *browser) consent(p page) page {
	m := formActionRe.FindStringSubmatch(p.body)
	if m == nil {
		b.s.t.Fatalf("no form on the consent page:\n%s", p.body)
	}
	req, _ := http.NewRequest("POST", b.s.base+html.UnescapeString(m[1]),
		strings.NewReader(url.Values{"csrf": {p.field("csrf")}, "decision": {"allow"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// stepOutput is what a library's run says about one step.
type stepOutput struct {
	Step   string          `json:"step"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// refusal is how a library reported something it refused.
type refusal struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Error   string `json:"error"` // the server's OAuth error code, when it answered
	Cause   any    `json:"cause"`
}

// says tells whether the refusal's message or cause has s.
func (r refusal) says(s string) bool {
	return strings.Contains(r.Message, s) || strings.Contains(fmt.Sprint(r.Cause), s)
}

// interopRun is one library's run, for the checks: each step's result by name.
type interopRun struct {
	w       *interopWorld
	results map[string]json.RawMessage
}

func (r *interopRun) result(t *testing.T, step string, v any) {
	t.Helper()
	if err := json.Unmarshal(r.results[step], v); err != nil {
		t.Fatalf("step %s returned %s: %v", step, r.results[step], err)
	}
}

// interopStep is a step every library runs, and what its result must show.
type interopStep struct {
	name  string
	check func(t *testing.T, r *interopRun)
}

var interopSteps = []interopStep{
	{"discovery", func(t *testing.T, r *interopRun) {
		var d struct {
			Issuer      string   `json:"issuer"`
			AuthMethods []string `json:"token_endpoint_auth_methods"`
		}
		r.result(t, "discovery", &d)
		if d.Issuer != r.w.base || !slices.Contains(d.AuthMethods, "client_secret_post") || !slices.Contains(d.AuthMethods, "client_secret_basic") {
			t.Errorf("discovery: %+v", d)
		}
	}},
	{"client_credentials", func(t *testing.T, r *interopRun) {
		var c struct {
			AccessToken string `json:"access_token"`
			Scope       string `json:"scope"`
			TokenType   string `json:"token_type"`
		}
		r.result(t, "client_credentials", &c)
		if c.AccessToken == "" || c.Scope != "circles:read" || !strings.EqualFold(c.TokenType, "bearer") {
			t.Errorf("client credentials: %+v", c)
		}
	}},
	{"authorization_code", func(t *testing.T, r *interopRun) {
		var d struct {
			ISSSupported bool `json:"iss_parameter_supported"`
		}
		r.result(t, "discovery", &d)
		var a struct {
			ISS          *string `json:"iss"`
			ForgedISS    refusal `json:"forged_iss"`
			AccessToken  string  `json:"access_token"`
			RefreshToken string  `json:"refresh_token"`
			HasIDToken   bool    `json:"has_id_token"`
			Scope        string  `json:"scope"`
		}
		r.result(t, "authorization_code", &a)
		if a.AccessToken == "" || a.RefreshToken == "" || !a.HasIDToken || !sameScopes(a.Scope, interopScopes) {
			t.Errorf("code exchange: %+v", a)
		}
		if !d.ISSSupported || a.ISS == nil || *a.ISS != r.w.base {
			t.Errorf("RFC 9207: discovery advertises iss %v; the response's iss is %v", d.ISSSupported, a.ISS)
		}
		if !a.ForgedISS.says(`"iss"`) {
			t.Errorf("a response with another issuer was refused for another reason: %+v", a.ForgedISS)
		}
	}},
	{"id_token", func(t *testing.T, r *interopRun) {
		var id struct {
			Claims struct {
				Iss   string          `json:"iss"`
				Sub   string          `json:"sub"`
				Aud   json.RawMessage `json:"aud"`
				Nonce string          `json:"nonce"`
				Name  string          `json:"name"`
				Phone string          `json:"phone_number"`
			} `json:"claims"`
			ExpectedNonce string `json:"expected_nonce"`
		}
		r.result(t, "id_token", &id)
		c := id.Claims
		if c.Iss != r.w.base || c.Sub != strconv.FormatInt(r.w.person.ID, 10) || !audienceHas(c.Aud, r.w.clientID) ||
			c.Nonce == "" || c.Nonce != id.ExpectedNonce || c.Name != r.w.person.DisplayName || c.Phone != r.w.person.Phone {
			t.Errorf("ID token: %+v", id)
		}
	}},
	{"userinfo", func(t *testing.T, r *interopRun) {
		var u struct {
			Sub   string `json:"sub"`
			Name  string `json:"name"`
			Phone string `json:"phone_number"`
		}
		r.result(t, "userinfo", &u)
		if u.Sub != strconv.FormatInt(r.w.person.ID, 10) || u.Name != r.w.person.DisplayName || u.Phone != r.w.person.Phone {
			t.Errorf("userinfo: %+v", u)
		}
	}},
	{"introspection", func(t *testing.T, r *interopRun) {
		var in map[string]any
		r.result(t, "introspection", &in)
		if in["active"] != true || in["client_id"] != r.w.clientID || in["sub"] != strconv.FormatInt(r.w.person.ID, 10) || in["username"] != nil {
			t.Errorf("introspection (active, this client and person, no phone number): %v", in)
		}
	}},
	{"token_exchange", func(t *testing.T, r *interopRun) {
		var x struct {
			AccessToken     string `json:"access_token"`
			CircleID        int64  `json:"circle_id"`
			Scope           string `json:"scope"`
			IssuedTokenType string `json:"issued_token_type"`
		}
		r.result(t, "token_exchange", &x)
		if x.AccessToken == "" || x.CircleID != r.w.circle.ID || x.Scope != authz.ScanScope ||
			x.IssuedTokenType != "urn:ietf:params:oauth:token-type:access_token" {
			t.Errorf("token exchange: %+v", x)
		}
	}},
	{"join", func(t *testing.T, r *interopRun) {
		var j struct {
			Status int `json:"status"`
			Body   struct {
				Status string `json:"status"`
			} `json:"body"`
		}
		r.result(t, "join", &j)
		member, err := r.w.db.IsMember(context.Background(), r.w.circle.ID, r.w.person.ID)
		if j.Status != http.StatusOK || j.Body.Status != "joined" || err != nil || !member {
			t.Errorf("join: %+v; a member: %v (%v)", j, member, err)
		}
	}},
	{"refresh", func(t *testing.T, r *interopRun) {
		var a, f struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
			Sub          string `json:"sub"`
		}
		r.result(t, "authorization_code", &a)
		r.result(t, "refresh", &f)
		if f.AccessToken == "" || f.RefreshToken == "" || f.AccessToken == a.AccessToken || f.RefreshToken == a.RefreshToken ||
			f.Sub != strconv.FormatInt(r.w.person.ID, 10) {
			t.Errorf("refresh did not rotate both tokens for the same person: %+v", f)
		}
	}},
	{"refresh_replay", func(t *testing.T, r *interopRun) {
		var p struct {
			Replay   refusal `json:"replay"`
			Active   bool    `json:"newest_access_token_active"`
			UserInfo refusal `json:"userinfo"`
		}
		r.result(t, "refresh_replay", &p)
		if p.Replay.Error != "invalid_grant" || p.Active || p.UserInfo.Message == "" {
			t.Errorf("a replayed refresh token: %+v (the family must be revoked)", p)
		}
	}},
	{"revocation", func(t *testing.T, r *interopRun) {
		var v struct {
			Before map[string]any `json:"before"`
			After  map[string]any `json:"after"`
		}
		r.result(t, "revocation", &v)
		if v.Before["active"] != true || v.Before["sub"] != r.w.clientID || v.Before["scope"] != "circles:read" || v.After["active"] != false {
			t.Errorf("the back end's token, introspected before and after revoking it: %+v", v)
		}
	}},
}

// checkInteropRun checks a library's run: every step of the table, in order, each without an
// error and with what its check wants.
func checkInteropRun(t *testing.T, w *interopWorld, outs []stepOutput) {
	t.Helper()
	r := &interopRun{w: w, results: map[string]json.RawMessage{}}
	for i, step := range interopSteps {
		if i >= len(outs) {
			t.Fatalf("the run stopped before step %s", step.name)
		}
		o := outs[i]
		if o.Step != step.name {
			t.Fatalf("step %d is %s, the table says %s", i, o.Step, step.name)
		}
		if len(o.Error) > 0 {
			t.Fatalf("step %s failed: %s", step.name, o.Error)
		}
		r.results[step.name] = o.Result
		t.Run(step.name, func(t *testing.T) { step.check(t, r) })
	}
	if len(outs) > len(interopSteps) {
		t.Errorf("the run has steps the table lacks: %+v", outs[len(interopSteps):])
	}
}

func sameScopes(got string, want []string) bool {
	g := strings.Fields(got)
	slices.Sort(g)
	w := slices.Clone(want)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// audienceHas reads an ID token's aud, a string or a list.
func audienceHas(raw json.RawMessage, id string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == id
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, id)
}
