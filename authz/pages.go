package authz

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"qrcircles"
	"qrcircles/authz/otp"
	phonenum "qrcircles/authz/phone"
	"qrcircles/authz/phoneauth"
	"qrcircles/templates"
)

func (s *Server) mountPages(e *gin.Engine) {
	e.GET("/login", s.loginForm)
	e.POST("/login", s.loginSubmit)
	e.GET("/login/code", s.codeForm)
	e.POST("/login/code", s.codeSubmit)
	e.GET("/register", s.registerForm)
	e.POST("/register", s.registerSubmit)
	e.POST("/logout", s.logout)
	e.GET("/account", s.account)
	e.POST("/account/consents/revoke", s.revokeConsent)
}

// loginData is what the login pages show.
type loginData struct {
	ReturnTo  string
	Phone     string
	Challenge string
	Region    string
	Proof     string // a proof-of-work challenge for the widget, as JSON, when one is asked
	Passkeys  bool   // the page offers to sign in with a passkey
}

// render shows page; title is the key of its title in the pages' catalog.
func (s *Server) render(c *gin.Context, status int, page, title string, p templates.Page) {
	protectPage(c)
	p.Title = qrcircles.Say(title)
	p.Prepare(c.Request)
	if p.CSRF == "" {
		p.CSRF = s.CSRFToken(c)
	}
	if err := s.pages.Render(c.Writer, status, page, p); err != nil {
		s.log.ErrorContext(c.Request.Context(), "rendering page", "page", page, "error", err)
		templates.ServerError(c.Writer, p.Lang)
	}
}

// renderError shows err on the page: its message for the person, the matching status, and
// Retry-After when there is a limit to wait out.
func (s *Server) renderError(c *gin.Context, page, title string, err error, data any) {
	if qrcircles.Unavailable(err) {
		logOutage(c, outageCause(err))
	} else if _, ok := qrcircles.ErrorOf(err); !ok {
		s.log.ErrorContext(c.Request.Context(), "page error", "page", page, "error", err)
	}
	b := qrcircles.ProblemOf(err)
	if b.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(b.RetryAfter))
	}
	s.render(c, b.Status, page, title, templates.Page{Error: templates.ErrorWords(err), Data: data})
}

func (s *Server) loginForm(c *gin.Context) {
	d := loginData{ReturnTo: safeReturnTo(c.Query("return_to")), Region: strings.ToUpper(s.phone.DefaultRegion), Passkeys: s.passkeys != nil}
	s.render(c, http.StatusOK, "login", "login.title", templates.Page{Data: d})
}

func (s *Server) loginSubmit(c *gin.Context) {
	d := loginData{ReturnTo: safeReturnTo(c.PostForm("return_to")), Phone: c.PostForm("phone"), Region: c.PostForm("region"), Passkeys: s.passkeys != nil}
	if !templates.KnownRegion(d.Region) {
		d.Region = strings.ToUpper(s.phone.DefaultRegion)
	}
	if !s.CheckCSRF(c) {
		s.renderError(c, "login", "login.title", errExpiredForm, d)
		return
	}
	raw, err := withRegion(d.Phone, c.PostForm("region"))
	var o otp.Origin
	if err == nil {
		o, err = s.sendOrigin(c, d.ReturnTo)
	}
	if err == nil && c.PostForm(proofField) != "" && s.signIn != nil {
		o.Proven, err = true, s.spendProof(c.Request.Context(), c.PostForm(proofField))
	}
	var ch string
	if err == nil {
		ch, _, err = s.phone.Send(c.Request.Context(), raw, o, templates.Negotiate(c.Request), s.now())
	}
	if err != nil {
		s.loginFailed(c, d, err)
		return
	}
	q := url.Values{"c": {ch}, "return_to": {d.ReturnTo}}
	c.Redirect(http.StatusSeeOther, "/login/code?"+q.Encode())
}

// loginFailed shows the sign-in page again with what went wrong; when a proof of work would
// lift the refusal, or the one sent did not hold, it asks for a new one instead.
func (s *Server) loginFailed(c *gin.Context, d loginData, err error) {
	if s.signIn != nil && (errors.Is(err, phoneauth.ErrProofRequired) || errors.Is(err, errProofFailed)) {
		proof, perr := s.newProof()
		if perr == nil {
			d.Proof = proof
			if errors.Is(err, phoneauth.ErrProofRequired) {
				s.render(c, http.StatusOK, "login", "login.title", templates.Page{Data: d})
				return
			}
		}
	}
	s.renderError(c, "login", "login.title", err, d)
}

func (s *Server) codeForm(c *gin.Context) {
	d := loginData{ReturnTo: safeReturnTo(c.Query("return_to")), Challenge: c.Query("c")}
	s.render(c, http.StatusOK, "login_code", "code.title", templates.Page{Data: d})
}

func (s *Server) codeSubmit(c *gin.Context) {
	d := loginData{ReturnTo: safeReturnTo(c.PostForm("return_to")), Challenge: c.PostForm("c")}
	if !s.CheckCSRF(c) {
		s.renderError(c, "login_code", "code.title", errExpiredForm, d)
		return
	}
	ctx := c.Request.Context()
	phone, err := s.phone.Verify(ctx, d.Challenge, strings.TrimSpace(c.PostForm("code")), c.ClientIP(), s.now())
	if err != nil {
		s.renderError(c, "login_code", "code.title", err, d)
		return
	}
	user, _, err := s.store.EnsureUser(ctx, phone, s.now().UTC())
	if err == nil {
		err = s.startSession(c, user.ID)
	}
	if err != nil {
		s.renderError(c, "login_code", "code.title", err, d)
		return
	}
	s.log.InfoContext(ctx, "login", "user_id", user.ID)
	s.audit(c, qrcircles.AuditLogin, user.ID, strconv.FormatInt(user.ID, 10))
	if user.DisplayName == "" {
		c.Redirect(http.StatusSeeOther, "/register?return_to="+url.QueryEscape(d.ReturnTo))
		return
	}
	c.Redirect(http.StatusSeeOther, d.ReturnTo)
}

type registerData struct {
	ReturnTo string
	Name     string
	Phone    string
}

func (s *Server) registerForm(c *gin.Context) {
	u, ok := s.requireUser(c)
	if !ok {
		return
	}
	d := registerData{ReturnTo: safeReturnTo(c.Query("return_to")), Name: u.DisplayName, Phone: u.Phone}
	s.render(c, http.StatusOK, "register", "title.your_name", templates.Page{Data: d})
}

func (s *Server) registerSubmit(c *gin.Context) {
	u, ok := s.requireUser(c)
	if !ok {
		return
	}
	d := registerData{ReturnTo: safeReturnTo(c.PostForm("return_to")), Name: strings.TrimSpace(c.PostForm("name")), Phone: u.Phone}
	err := validateDisplayName(d.Name)
	if err == nil && !s.CheckCSRF(c) {
		err = errExpiredForm
	}
	if err == nil {
		err = s.store.SetDisplayName(c.Request.Context(), u.ID, d.Name, s.now().UTC())
	}
	if err != nil {
		s.renderError(c, "register", "title.your_name", err, d)
		return
	}
	c.Redirect(http.StatusSeeOther, d.ReturnTo)
}

// withRegion reads a number typed without its country code in the region chosen on the
// form; a number with + or 00, or a form without a known region, is left to phoneauth and
// its default region.
func withRegion(raw, region string) (string, error) {
	t := strings.TrimSpace(raw)
	if !templates.KnownRegion(region) || t == "" || strings.HasPrefix(t, "+") || strings.HasPrefix(t, "00") {
		return raw, nil
	}
	return phonenum.Normalize(t, region)
}

// validateDisplayName checks the one field registration requires, by the text rule.
func validateDisplayName(name string) error {
	if name == "" {
		return qrcircles.Fail(qrcircles.EInvalid, "authz.name_required").WithField("name")
	}
	return qrcircles.TextRegisterName.Check(name)
}

func (s *Server) logout(c *gin.Context) {
	if s.CheckCSRF(c) {
		// Nothing private stays in the browser: the app's offline copies and its token go.
		c.Header("Clear-Site-Data", `"cache", "storage"`)
		if u, ok := s.User(c.Request); ok {
			s.audit(c, qrcircles.AuditLogout, u.ID, strconv.FormatInt(u.ID, 10))
		}
		if err := s.endSession(c); err != nil {
			c.Error(err)
		}
	}
	c.Redirect(http.StatusSeeOther, "/")
}

// audit records a security-relevant event; a failure to record is logged, not shown.
func (s *Server) audit(c *gin.Context, action string, actor int64, target string) {
	e := qrcircles.NewAuditEntry(s.now(), action, actor, target, c.ClientIP(), nil)
	if err := s.store.AddAudit(c.Request.Context(), e); err != nil {
		s.log.ErrorContext(c.Request.Context(), "audit log", "action", action, "error", err)
	}
}

type accountData struct {
	User     qrcircles.User
	Consents []consentView
	Passkeys []passkeyJSON
	// PasskeysOn says the server signs in with passkeys (the page lists them).
	PasskeysOn bool
}

type consentView struct {
	ClientID   string
	ClientName string
	Scopes     []string
	GrantedAt  string
}

func (s *Server) account(c *gin.Context) {
	u, ok := s.requireUser(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	consents, err := s.store.Consents(ctx, u.ID)
	if err != nil {
		s.renderError(c, "account", "account.title", err, accountData{User: u.User})
		return
	}
	d := accountData{User: u.User, PasskeysOn: s.passkeys != nil}
	if d.Passkeys, err = s.userPasskeys(ctx, u.ID); err != nil {
		s.renderError(c, "account", "account.title", err, accountData{User: u.User})
		return
	}
	for _, cn := range consents {
		name := cn.ClientID
		if cl, err := s.store.Client(ctx, cn.ClientID); err == nil {
			name = cl.Name
		}
		d.Consents = append(d.Consents, consentView{cn.ClientID, name, strings.Fields(cn.Scopes), cn.GrantedAt.Format("2006-01-02")})
	}
	s.render(c, http.StatusOK, "account", "account.title", templates.Page{Data: d})
}

func (s *Server) revokeConsent(c *gin.Context) {
	u, ok := s.requireUser(c)
	if !ok {
		return
	}
	if !s.CheckCSRF(c) {
		s.renderError(c, "account", "account.title", errExpiredForm, accountData{User: u.User})
		return
	}
	err := s.withdrawConsent(c, u.ID, c.PostForm("client_id"))
	if err != nil && qrcircles.CodeOf(err) != qrcircles.ENotFound {
		s.renderError(c, "account", "account.title", err, accountData{User: u.User})
		return
	}
	c.Redirect(http.StatusSeeOther, "/account")
}

// withdrawConsent deletes the user's consent to the client, revokes every token the client
// holds for the user, and records it, in one transaction: a withdrawn consent leaves the client
// nothing to use, not even a refresh token.
func (s *Server) withdrawConsent(c *gin.Context, userID int64, clientID string) error {
	return s.store.InTx(c.Request.Context(), func(ctx context.Context) error {
		cn, err := s.store.Consent(ctx, userID, clientID)
		if err != nil {
			return err
		}
		if err := s.store.DeleteConsent(ctx, userID, clientID); err != nil {
			return err
		}
		if err := s.store.RevokeClientTokensFor(ctx, clientID, strconv.FormatInt(userID, 10)); err != nil {
			return err
		}
		return s.store.AddAudit(ctx, consentEntry(c, s.now(), qrcircles.AuditConsentWithdraw, cn))
	})
}

// grantConsent stores the user's consent to the client and records it, in one transaction.
func (s *Server) grantConsent(c *gin.Context, cn qrcircles.Consent) error {
	return s.store.InTx(c.Request.Context(), func(ctx context.Context) error {
		if err := s.store.PutConsent(ctx, cn); err != nil {
			return err
		}
		return s.store.AddAudit(ctx, consentEntry(c, cn.GrantedAt, qrcircles.AuditConsentGrant, cn))
	})
}

func consentEntry(c *gin.Context, at time.Time, action string, cn qrcircles.Consent) qrcircles.AuditEntry {
	return qrcircles.NewAuditEntry(at, action, cn.UserID, "client:"+cn.ClientID, c.ClientIP(), map[string]string{"scopes": cn.Scopes})
}

// requireUser returns the signed-in user, or sends the browser to sign in first; a session
// that cannot be looked up gets the "try again" page.
func (s *Server) requireUser(c *gin.Context) (CurrentUser, bool) {
	u, ok, err := s.Session(c.Request)
	if err != nil {
		s.renderError(c, "message", titleUnavailable, err, nil)
		return u, false
	}
	if !ok {
		c.Redirect(http.StatusSeeOther, "/login?return_to="+url.QueryEscape(c.Request.URL.RequestURI()))
		return u, false
	}
	return u, true
}

type consentData struct {
	ClientName string
	Scopes     []string
	Action     string
}

// consent returns the scopes to grant; done says it answered the request itself (showing the
// consent page, or sending the client a denial). The first-party client needs no consent.
func (s *Server) consent(c *gin.Context, ar fosite.AuthorizeRequester, u CurrentUser, f *authFlow) (fosite.Arguments, bool) {
	ctx := c.Request.Context()
	client := registered(ar.GetClient())
	requested := ar.GetRequestedScopes()
	if client != nil && client.FirstParty {
		return requested, false
	}
	if c.Request.Method == http.MethodPost {
		if !s.CheckCSRF(c) {
			s.renderError(c, "message", "title.consent", errExpiredForm, nil)
			return nil, true
		}
		if c.PostForm("decision") != "allow" {
			s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, fosite.ErrAccessDenied.WithHint("The user declined."))
			return nil, true
		}
		err := s.grantConsent(c, qrcircles.Consent{UserID: u.ID, ClientID: ar.GetClient().GetID(), Scopes: strings.Join(requested, " "), GrantedAt: s.now().UTC()})
		if err != nil {
			s.renderError(c, "message", "title.consent", err, nil)
			return nil, true
		}
		return requested, false
	}
	cn, err := s.store.Consent(ctx, u.ID, ar.GetClient().GetID())
	if qrcircles.Unavailable(err) {
		s.renderError(c, "message", titleUnavailable, err, nil) // not "you never consented"
		return nil, true
	}
	if err == nil && !f.has("consent") && coversAll(cn.Scopes, requested) {
		return requested, false
	}
	if f.has("none") {
		s.oauth.WriteAuthorizeError(ctx, c.Writer, ar, fosite.ErrConsentRequired)
		return nil, true
	}
	action, err := s.resumeURL(ctx, ar, f)
	if err != nil {
		s.renderError(c, "message", "title.consent", err, nil)
		return nil, true
	}
	name := ar.GetClient().GetID()
	if client != nil {
		name = client.Name
	}
	d := consentData{ClientName: name, Scopes: requested, Action: action}
	s.render(c, http.StatusOK, "consent", "title.allow_access", templates.Page{Data: d})
	return nil, true
}

func coversAll(granted string, requested []string) bool {
	have := strings.Fields(granted)
	for _, r := range requested {
		if !slices.Contains(have, r) {
			return false
		}
	}
	return true
}

var errExpiredForm = qrcircles.Fail(qrcircles.EForbidden, "authz.form_expired")

// titleUnavailable is the title of the page shown while the database is unavailable.
const titleUnavailable = "title.unavailable" // a key of the pages' catalog, as every title

// titleFor is the title of a page showing err: title, unless err is an outage.
func titleFor(err error, title string) string {
	if qrcircles.Unavailable(err) {
		return titleUnavailable
	}
	return title
}
