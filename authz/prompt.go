package authz

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"
)

// An authorization request that needs a page (sign-in, registration, consent) comes back to
// the authorization endpoint afterwards with resumeParam added: the time the request first
// came, MACed together with the request's parameters. That time is the request's
// requested_at, which a fresh sign-in satisfies for prompt=login and max_age (OpenID Connect
// Core §3.1.2.1), so the person signs in once and the request goes on.
const resumeParam = "qrc_requested_at"

// resumeLifespan bounds the time from an authorization request to its return from the pages.
const resumeLifespan = 30 * time.Minute

// notParams are the fields that are not the client's authorization request: ours, and those
// of the consent form.
var notParams = []string{resumeParam, csrfField, "decision"}

// authFlow is what the authorization endpoint knows of a request besides what fosite parses.
type authFlow struct {
	params      url.Values // the request's own parameters
	pushed      bool       // they name a request pushed to /oauth2/par
	requestedAt time.Time  // when the request first came
	prompt      []string
	maxAge      time.Duration // negative: none asked
}

// readFlow reads the request's parameters before fosite does, and returns the request fosite
// is to parse: for a pushed request only client_id and request_uri, so that parameters added
// outside the pushed request count for nothing (RFC 9126 §4).
func (s *Server) readFlow(c *gin.Context) (*authFlow, *http.Request, error) {
	r := c.Request
	if err := r.ParseForm(); err != nil {
		return nil, nil, fosite.ErrInvalidRequest.WithHint("The request's parameters cannot be read.").WithWrap(err)
	}
	f := &authFlow{params: url.Values{}, requestedAt: s.now(), maxAge: -1}
	for k, v := range r.Form {
		if !slices.Contains(notParams, k) {
			f.params[k] = v
		}
	}
	if at, ok := s.resumedAt(r.Form.Get(resumeParam), f.params); ok {
		f.requestedAt = at
	}
	fr := r.Clone(r.Context())
	fr.Method, fr.Body, fr.ContentLength, fr.Form, fr.PostForm = http.MethodGet, http.NoBody, 0, nil, nil
	fr.Header.Del("Content-Type")
	query := f.params
	if uri := f.params.Get("request_uri"); strings.HasPrefix(uri, s.config.GetPushedAuthorizeRequestURIPrefix(r.Context())) {
		f.pushed = true
		query = url.Values{"client_id": {f.params.Get("client_id")}, "request_uri": {uri}}
	}
	fr.URL.RawQuery = query.Encode()
	return f, fr, nil
}

// check reads prompt and max_age from the request as fosite built it (a pushed request's
// own), and refuses what cannot be honoured.
func (f *authFlow) check(ar fosite.AuthorizeRequester) error {
	form := ar.GetRequestForm()
	f.prompt = strings.Fields(form.Get("prompt"))
	for _, p := range f.prompt {
		if !slices.Contains([]string{"none", "login", "consent", "select_account"}, p) {
			return fosite.ErrInvalidRequest.WithHintf("Unknown prompt value '%s'.", p)
		}
	}
	if f.has("none") && len(f.prompt) > 1 {
		return fosite.ErrInvalidRequest.WithHint("prompt=none cannot be combined with other values.")
	}
	if raw := form.Get("max_age"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil || n < 0 {
			return fosite.ErrInvalidRequest.WithHint("max_age must be a number of seconds.")
		}
		f.maxAge = time.Duration(n) * time.Second
	}
	if c := registered(ar.GetClient()); c != nil && c.RequirePAR && !f.pushed {
		return fosite.ErrInvalidRequest.WithHint("This client must push its authorization requests to the pushed authorization request endpoint first (RFC 9126).")
	}
	return nil
}

func (f *authFlow) has(prompt string) bool { return slices.Contains(f.prompt, prompt) }

// mustSignIn says whether the person's sign-in is too old for the request: before it with
// prompt=login, longer than max_age before it otherwise.
func (f *authFlow) mustSignIn(loginAt time.Time) bool {
	if f.has("login") && loginAt.Before(f.requestedAt) {
		return true
	}
	return f.maxAge >= 0 && loginAt.Add(f.maxAge).Before(f.requestedAt)
}

// interact sends the person to page (sign-in or registration) and back to the request, or,
// with prompt=none, answers the client with err instead.
func (s *Server) interact(c *gin.Context, ar fosite.AuthorizeRequester, f *authFlow, page string, err *fosite.RFC6749Error) {
	ctx := c.Request.Context()
	if f.has("none") {
		s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, err)
		return
	}
	back, rerr := s.resumeURL(ctx, ar, f)
	if rerr != nil {
		s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, fosite.ErrServerError.WithWrap(rerr))
		return
	}
	c.Redirect(http.StatusSeeOther, page+"?return_to="+url.QueryEscape(back))
}

// resumeURL is the address that continues this authorization request after a page. A pushed
// request was taken when the browser brought it, so it is pushed again under a new
// request_uri that the address carries instead.
func (s *Server) resumeURL(ctx context.Context, ar fosite.AuthorizeRequester, f *authFlow) (string, error) {
	q := url.Values{}
	for k, v := range f.params {
		q[k] = v
	}
	if f.pushed {
		uri, err := s.pushAgain(ctx, ar)
		if err != nil {
			return "", err
		}
		q = url.Values{"client_id": {ar.GetClient().GetID()}, "request_uri": {uri}}
	}
	q.Set(resumeParam, s.resumeMark(f.requestedAt, q))
	return "/oauth2/auth?" + q.Encode(), nil
}

// resumeMark is the value of resumeParam: the time, and a MAC binding it to the parameters.
func (s *Server) resumeMark(at time.Time, params url.Values) string {
	unix := strconv.FormatInt(at.Unix(), 10)
	return unix + "." + base64.RawURLEncoding.EncodeToString(s.resumeMAC(unix, params))
}

func (s *Server) resumeMAC(unix string, params url.Values) []byte {
	q := url.Values{}
	for k, v := range params {
		if k != resumeParam {
			q[k] = v
		}
	}
	m := hmac.New(sha256.New, s.resumeKey)
	m.Write([]byte(unix + "\n" + q.Encode()))
	return m.Sum(nil)
}

// resumedAt checks a resumeParam value against the parameters it came with; a forged, altered
// or stale one counts for nothing.
func (s *Server) resumedAt(mark string, params url.Values) (time.Time, bool) {
	unix, sig, ok := strings.Cut(mark, ".")
	n, err := strconv.ParseInt(unix, 10, 64)
	got, derr := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || derr != nil || subtle.ConstantTimeCompare(got, s.resumeMAC(unix, params)) != 1 {
		return time.Time{}, false
	}
	at := time.Unix(n, 0)
	if age := s.now().Sub(at); age < 0 || age > resumeLifespan {
		return time.Time{}, false
	}
	return at, true
}
