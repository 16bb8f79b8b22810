package authz

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	josejwt "github.com/go-jose/go-jose/v3/jwt"

	"qrcircles"
	"qrcircles/templates"
)

// logoutRequest is an RP-initiated logout request (OpenID Connect RP-Initiated Logout 1.0),
// checked.
type logoutRequest struct {
	hintSubject string                 // sub of a valid id_token_hint; "" without one
	client      *qrcircles.OAuthClient // named by client_id or the hint's audience; nil if neither
	redirect    string                 // a registered post_logout_redirect_uri, or ""
	state       string
	lang        string // from ui_locales; "" to negotiate as on every page
	params      url.Values
}

type logoutData struct {
	Mode       string // "confirm", "done" (signed out) or "invalid"
	ClientName string
	Fields     []logoutField // the request, posted again with the confirmation
}

type logoutField struct{ Name, Value string }

var logoutParams = []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales"}

// rpLogout is the end_session_endpoint. It signs the person out at once when the client
// proves the request with an ID token of this person (id_token_hint); otherwise it asks them
// first, so that no page can sign people out behind their back. It sends the browser back
// only to a post_logout_redirect_uri registered for the client, with the client's state.
func (s *Server) rpLogout(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		s.renderLogout(c, logoutRequest{}, errBadLogout)
		return
	}
	form := c.Request.Form
	lr, err := s.checkLogout(c.Request.Context(), form)
	if err != nil {
		s.renderLogout(c, lr, err)
		return
	}
	user, signedIn := s.User(c.Request)
	posted := c.Request.Method == http.MethodPost && form.Get("confirm") == "yes"
	confirmed := posted && s.CheckCSRF(c)
	proven := lr.hintSubject != "" && (!signedIn || lr.hintSubject == strconv.FormatInt(user.ID, 10))
	if signedIn && !proven && !confirmed {
		var formErr error
		if posted {
			formErr = errExpiredForm
		}
		s.renderLogout(c, lr, formErr)
		return
	}
	if signedIn {
		if err := s.endSession(c); err != nil {
			s.renderLogout(c, lr, err)
			return
		}
		s.audit(c, qrcircles.AuditLogout, user.ID, strconv.FormatInt(user.ID, 10))
	}
	if lr.redirect != "" {
		u, _ := url.Parse(lr.redirect) // registered, so it parses
		if lr.state != "" {
			q := u.Query()
			q.Set("state", lr.state)
			u.RawQuery = q.Encode()
		}
		c.Redirect(http.StatusSeeOther, u.String())
		return
	}
	s.render(c, http.StatusOK, "logout", "title.signed_out", templates.Page{Lang: lr.lang, Data: logoutData{Mode: "done"}})
}

// checkLogout validates the request: an id_token_hint must be an ID token this server signed
// (expired ones too), client_id must be its audience, and post_logout_redirect_uri must be
// registered, exactly, for the client.
func (s *Server) checkLogout(ctx context.Context, form url.Values) (logoutRequest, error) {
	lr := logoutRequest{state: form.Get("state"), lang: uiLocale(form.Get("ui_locales")), params: form}
	var audience []string
	if hint := form.Get("id_token_hint"); hint != "" {
		claims, err := s.verifyIDTokenHint(ctx, hint)
		if err != nil {
			return lr, errBadLogout
		}
		lr.hintSubject, audience = claims.Subject, claims.Audience
	}
	clientID := form.Get("client_id")
	if clientID != "" && len(audience) > 0 && !slices.Contains(audience, clientID) {
		return lr, errBadLogout
	}
	if clientID == "" && len(audience) == 1 {
		clientID = audience[0]
	}
	if clientID != "" {
		cl, err := s.store.Client(ctx, clientID)
		if qrcircles.CodeOf(err) == qrcircles.ENotFound {
			return lr, errBadLogout
		}
		if err != nil {
			return lr, err
		}
		lr.client = cl
	}
	if uri := form.Get("post_logout_redirect_uri"); uri != "" {
		if lr.client == nil || !slices.Contains(lr.client.PostLogoutRedirectURIs, uri) {
			return lr, errLogoutRedirect
		}
		lr.redirect = uri
	}
	return lr, nil
}

// verifyIDTokenHint checks that raw is an ID token signed by one of the published keys and
// issued here. Its expiry does not matter: a client signs out with the last token it had.
func (s *Server) verifyIDTokenHint(ctx context.Context, raw string) (*josejwt.Claims, error) {
	tok, err := josejwt.ParseSigned(raw)
	if err != nil {
		return nil, err
	}
	if len(tok.Headers) != 1 || tok.Headers[0].Algorithm != "RS256" {
		return nil, errors.New("id_token_hint: not an RS256 token")
	}
	set, err := s.keys.Public(ctx, s.now())
	if err != nil {
		return nil, err
	}
	for _, k := range set.Key(tok.Headers[0].KeyID) {
		var claims josejwt.Claims
		if tok.Claims(k.Key, &claims) == nil && claims.Issuer == s.issuer.String() && claims.Subject != "" {
			return &claims, nil
		}
	}
	return nil, errors.New("id_token_hint: not an ID token of this server")
}

// uiLocale is the page language the first supported tag of ui_locales names, or "".
func uiLocale(locales string) string {
	for _, tag := range strings.Fields(strings.ToLower(locales)) {
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			return templates.Chinese
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return templates.English
		}
	}
	return ""
}

// renderLogout shows the confirmation, with err when there is one; an invalid request gets
// only the error.
func (s *Server) renderLogout(c *gin.Context, lr logoutRequest, err error) {
	d := logoutData{Mode: "confirm"}
	if lr.client != nil && !lr.client.FirstParty {
		d.ClientName = lr.client.Name
	}
	for _, name := range logoutParams {
		if v := lr.params.Get(name); v != "" {
			d.Fields = append(d.Fields, logoutField{name, v})
		}
	}
	p := templates.Page{Lang: lr.lang, Data: d}
	status := http.StatusOK
	if err != nil {
		if pe := (*qrcircles.Error)(nil); !errors.As(err, &pe) {
			s.log.ErrorContext(c.Request.Context(), "logout", "error", err)
		}
		b := qrcircles.ProblemOf(err)
		p.Error, status = templates.ErrorWords(err), b.Status
		if errors.Is(err, errBadLogout) || errors.Is(err, errLogoutRedirect) {
			p.Data = logoutData{Mode: "invalid"} // nothing to confirm
		}
	}
	s.render(c, status, "logout", "title.sign_out", p)
}

var (
	errBadLogout      = qrcircles.Fail(qrcircles.EInvalid, "authz.logout_bad")
	errLogoutRedirect = qrcircles.Fail(qrcircles.EInvalid, "authz.logout_redirect")
)
