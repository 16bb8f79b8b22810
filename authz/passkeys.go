package authz

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"qrcircles"
	"qrcircles/templates"
)

// PasskeyStore is what passkeys need of the database: the credentials, and the ceremonies
// begun in a browser whose challenge must stay on the server until they finish.
type PasskeyStore interface {
	AddPasskey(ctx context.Context, p qrcircles.Passkey) (qrcircles.Passkey, error)
	Passkeys(ctx context.Context, userID int64) ([]qrcircles.Passkey, error)
	PasskeyByCredentialID(ctx context.Context, credentialID string) (qrcircles.Passkey, error)
	UsePasskey(ctx context.Context, id int64, credential string, now time.Time) error
	DeletePasskey(ctx context.Context, userID, id int64) error
	CreatePasskeyCeremony(ctx context.Context, c qrcircles.PasskeyCeremony) error
	TakePasskeyCeremony(ctx context.Context, idHash string, now time.Time) (qrcircles.PasskeyCeremony, error)
}

const (
	ceremonyCookie   = "qrc_passkey"
	ceremonyLifespan = 5 * time.Minute
	csrfHeader       = "X-CSRF-Token"
)

// passkeys is sign-in with WebAuthn: a person who signed in once by SMS adds a passkey and
// signs in with it from then on, with no SMS sent. SMS stays the way in for a new phone.
type passkeys struct {
	store     PasskeyStore
	webauthn  *webauthn.WebAuthn
	handleKey []byte // user handles are a MAC of the user ID: opaque, and the same for all of a user's passkeys
}

func newPasskeys(store PasskeyStore, issuer *url.URL, secret []byte) (*passkeys, error) {
	w, err := webauthn.New(&webauthn.Config{
		RPID: issuer.Hostname(), RPDisplayName: "QR Circles", RPOrigins: []string{issuer.Scheme + "://" + issuer.Host},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return &passkeys{store: store, webauthn: w, handleKey: DeriveKey(secret, "passkey-user-handle")}, nil
}

func (p *passkeys) handle(userID int64) []byte {
	m := hmac.New(sha256.New, p.handleKey)
	m.Write([]byte(strconv.FormatInt(userID, 10)))
	return m.Sum(nil)
}

// passkeyUser is a user as the WebAuthn library sees them.
type passkeyUser struct {
	handle []byte
	user   qrcircles.User
	creds  []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return u.handle }
func (u passkeyUser) WebAuthnName() string                       { return u.user.Phone }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.user.DisplayName }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// loadUser is the user with every passkey they hold.
func (p *passkeys) loadUser(ctx context.Context, u qrcircles.User) (passkeyUser, []qrcircles.Passkey, error) {
	stored, err := p.store.Passkeys(ctx, u.ID)
	if err != nil {
		return passkeyUser{}, nil, err
	}
	pu := passkeyUser{handle: p.handle(u.ID), user: u}
	for _, s := range stored {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(s.Credential), &c); err != nil {
			return pu, nil, fmt.Errorf("passkey %d: %w", s.ID, err)
		}
		pu.creds = append(pu.creds, c)
	}
	return pu, stored, nil
}

func (s *Server) mountPasskeys(e *gin.Engine) {
	if s.passkeys == nil {
		return
	}
	e.GET("/passkeys", s.listPasskeys)
	e.POST("/passkeys/register/begin", s.beginPasskeyRegistration)
	e.POST("/passkeys/register/finish", s.finishPasskeyRegistration)
	e.POST("/login/passkey/begin", s.beginPasskeyLogin)
	e.POST("/login/passkey/finish", s.finishPasskeyLogin)
	e.POST("/account/passkeys/remove", s.removePasskey)
}

// passkeyJSON is a passkey as the app and the account page show it.
type passkeyJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Created  string `json:"created_at"`
	LastUsed string `json:"last_used_at,omitempty"`
}

func passkeyViews(ps []qrcircles.Passkey) []passkeyJSON {
	out := make([]passkeyJSON, len(ps))
	for i, p := range ps {
		out[i] = passkeyJSON{ID: p.ID, Name: p.Name, Created: p.CreatedAt.UTC().Format("2006-01-02 15:04")}
		if p.LastUsedAt != nil {
			out[i].LastUsed = p.LastUsedAt.UTC().Format("2006-01-02 15:04")
		}
	}
	return out
}

// jsonUser is the signed-in user of a script's request, which must carry the page's form
// token in a header; the answer to anything else is a problem.
func (s *Server) jsonUser(c *gin.Context) (CurrentUser, bool) {
	u, ok, err := s.Session(c.Request)
	switch {
	case err != nil:
		s.jsonProblem(c, err)
	case !ok:
		s.jsonProblem(c, errSignInFirst)
	case c.Request.Method == http.MethodPost && !s.checkCSRFHeader(c):
		s.jsonProblem(c, errExpiredForm)
	default:
		return u, true
	}
	return u, false
}

// checkCSRFHeader is CheckCSRF for scripts, which send the token in a header.
func (s *Server) checkCSRFHeader(c *gin.Context) bool {
	binding, ok := s.csrfState(c).binding()
	got := c.GetHeader(csrfHeader)
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrfFor(binding))) == 1
}

func (s *Server) jsonProblem(c *gin.Context, err error) {
	if _, ok := qrcircles.ErrorOf(err); !ok {
		s.log.ErrorContext(c.Request.Context(), "passkey", "error", err)
	}
	b := qrcircles.ProblemOf(err)
	b.Detail = qrcircles.AnswerOf(err).In(templates.Negotiate(c.Request)) // the page's script shows it
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(b.Status, b)
}

func (s *Server) listPasskeys(c *gin.Context) {
	u, ok := s.jsonUser(c)
	if !ok {
		return
	}
	ps, err := s.passkeys.store.Passkeys(c.Request.Context(), u.ID)
	s.sendJSON(c, gin.H{"passkeys": passkeyViews(ps)}, err)
}

// sendJSON answers v, never cached, or the problem err when there is one.
func (s *Server) sendJSON(c *gin.Context, v any, err error) {
	if err != nil {
		s.jsonProblem(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

// startCeremony keeps the library's session data on the server and gives the browser a
// random ID for it.
func (s *Server) startCeremony(c *gin.Context, userID int64, data *webauthn.SessionData) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	id := randomToken(32)
	err = s.passkeys.store.CreatePasskeyCeremony(c.Request.Context(), qrcircles.PasskeyCeremony{
		IDHash: hashID(id), UserID: userID, Data: string(b), ExpiresAt: s.now().UTC().Add(ceremonyLifespan),
	})
	if err == nil {
		s.setCookie(c, ceremonyCookie, id, ceremonyLifespan)
	}
	return err
}

// takeCeremony returns the ceremony this browser began, once.
func (s *Server) takeCeremony(c *gin.Context, userID int64) (webauthn.SessionData, error) {
	var data webauthn.SessionData
	id, _ := c.Cookie(ceremonyCookie)
	s.setCookie(c, ceremonyCookie, "", -1)
	cer, err := s.passkeys.store.TakePasskeyCeremony(c.Request.Context(), hashID(id), s.now().UTC())
	if qrcircles.CodeOf(err) == qrcircles.ENotFound || (err == nil && cer.UserID != userID) {
		return data, errPasskeyExpired
	}
	if err == nil {
		err = json.Unmarshal([]byte(cer.Data), &data)
	}
	return data, err
}

func (s *Server) beginPasskeyRegistration(c *gin.Context) {
	u, ok := s.jsonUser(c)
	if !ok {
		return
	}
	pu, _, err := s.passkeys.loadUser(c.Request.Context(), u.User)
	var creation *protocol.CredentialCreation
	var data *webauthn.SessionData
	if err == nil {
		creation, data, err = s.passkeys.webauthn.BeginRegistration(pu,
			webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
			webauthn.WithExclusions(webauthn.Credentials(pu.creds).CredentialDescriptors()))
	}
	s.sendOptions(c, u.ID, creation, data, err)
}

// sendOptions keeps a ceremony's session data on the server and sends the browser the
// options it answers; err is what preparing them went wrong with, if anything.
func (s *Server) sendOptions(c *gin.Context, userID int64, options any, data *webauthn.SessionData, err error) {
	if err == nil {
		err = s.startCeremony(c, userID, data)
	}
	s.sendJSON(c, options, err)
}

func (s *Server) finishPasskeyRegistration(c *gin.Context) {
	u, ok := s.jsonUser(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	data, err := s.takeCeremony(c, u.ID)
	var pu passkeyUser
	if err == nil {
		pu, _, err = s.passkeys.loadUser(ctx, u.User)
	}
	var cred *webauthn.Credential
	if err == nil {
		if cred, err = s.passkeys.webauthn.FinishRegistration(pu, data, c.Request); err != nil {
			err = errPasskeyInvalid.WithCause(err)
		}
	}
	var stored qrcircles.Passkey
	if err == nil {
		stored, err = s.storePasskey(ctx, u.ID, cred, s.passkeyName(c))
	}
	if err != nil {
		s.jsonProblem(c, err)
		return
	}
	s.audit(c, qrcircles.AuditPasskeyAdd, u.ID, strconv.FormatInt(u.ID, 10))
	c.JSON(http.StatusCreated, passkeyViews([]qrcircles.Passkey{stored})[0])
}

// passkeyName is the name the person gave the new passkey, or one with today's date in the
// language of their page.
func (s *Server) passkeyName(c *gin.Context) string {
	name := c.Query("name")
	if name == "" || qrcircles.TextRegisterName.Check(name) != nil {
		name = qrcircles.Say("authz.passkey_name", s.now().UTC().Format("2006-01-02")).In(templates.Negotiate(c.Request))
	}
	return name
}

func (s *Server) storePasskey(ctx context.Context, userID int64, cred *webauthn.Credential, name string) (qrcircles.Passkey, error) {
	b, err := json.Marshal(cred)
	if err != nil {
		return qrcircles.Passkey{}, err
	}
	return s.passkeys.store.AddPasskey(ctx, qrcircles.Passkey{
		UserID: userID, CredentialID: base64.RawURLEncoding.EncodeToString(cred.ID), Credential: string(b),
		Name: name, CreatedAt: s.now().UTC(),
	})
}

// beginPasskeyLogin asks the browser for any passkey of this site: the person picks one, and
// the passkey says who they are.
func (s *Server) beginPasskeyLogin(c *gin.Context) {
	if !s.checkCSRFHeader(c) {
		s.jsonProblem(c, errExpiredForm)
		return
	}
	assertion, data, err := s.passkeys.webauthn.BeginDiscoverableLogin(
		webauthn.WithUserVerification(protocol.VerificationRequired))
	s.sendOptions(c, 0, assertion, data, err)
}

func (s *Server) finishPasskeyLogin(c *gin.Context) {
	ctx := c.Request.Context()
	if !s.checkCSRFHeader(c) {
		s.jsonProblem(c, errExpiredForm)
		return
	}
	data, err := s.takeCeremony(c, 0)
	var found qrcircles.Passkey
	var cred *webauthn.Credential
	if err == nil {
		cred, err = s.passkeys.webauthn.FinishDiscoverableLogin(s.discoverUser(ctx, &found), data, c.Request)
		if err != nil && !qrcircles.Unavailable(err) {
			err = errPasskeyRefused.WithCause(err)
		}
	}
	if err == nil {
		err = s.signInWithPasskey(c, found, cred)
	}
	if err != nil {
		s.jsonProblem(c, err)
		return
	}
	next := safeReturnTo(c.Query("return_to"))
	if u, _ := s.store.User(ctx, found.UserID); u.DisplayName == "" {
		next = "/register?return_to=" + url.QueryEscape(next)
	}
	c.JSON(http.StatusOK, gin.H{"redirect": next})
}

// discoverUser finds the owner of the passkey the browser offers; the user handle it sends
// must be theirs.
func (s *Server) discoverUser(ctx context.Context, found *qrcircles.Passkey) webauthn.DiscoverableUserHandler {
	return func(rawID, userHandle []byte) (webauthn.User, error) {
		p, err := s.passkeys.store.PasskeyByCredentialID(ctx, base64.RawURLEncoding.EncodeToString(rawID))
		if err != nil {
			return nil, err
		}
		if !hmac.Equal(userHandle, s.passkeys.handle(p.UserID)) {
			return nil, errPasskeyRefused
		}
		u, err := s.store.User(ctx, p.UserID)
		if err != nil {
			return nil, err
		}
		*found = p
		pu, _, err := s.passkeys.loadUser(ctx, u)
		return pu, err
	}
}

func (s *Server) signInWithPasskey(c *gin.Context, p qrcircles.Passkey, cred *webauthn.Credential) error {
	b, err := json.Marshal(cred)
	if err == nil {
		err = s.passkeys.store.UsePasskey(c.Request.Context(), p.ID, string(b), s.now())
	}
	if err == nil {
		err = s.startSession(c, p.UserID)
	}
	if err == nil {
		s.log.InfoContext(c.Request.Context(), "login", "user_id", p.UserID, "method", "passkey")
		s.audit(c, qrcircles.AuditLogin, p.UserID, strconv.FormatInt(p.UserID, 10))
	}
	return err
}

func (s *Server) removePasskey(c *gin.Context) {
	u, ok := s.requireUser(c)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(c.PostForm("id"), 10, 64)
	var err error = errExpiredForm
	if s.CheckCSRF(c) {
		err = s.passkeys.store.DeletePasskey(c.Request.Context(), u.ID, id)
	}
	if err != nil && qrcircles.CodeOf(err) != qrcircles.ENotFound {
		s.renderError(c, "account", "account.title", err, accountData{User: u.User})
		return
	}
	if err == nil {
		s.audit(c, qrcircles.AuditPasskeyRemove, u.ID, strconv.FormatInt(u.ID, 10))
	}
	c.Redirect(http.StatusSeeOther, "/account")
}

// userPasskeys lists the user's passkeys for the account page; none when passkeys are off.
func (s *Server) userPasskeys(ctx context.Context, userID int64) ([]passkeyJSON, error) {
	if s.passkeys == nil {
		return nil, nil
	}
	ps, err := s.passkeys.store.Passkeys(ctx, userID)
	return passkeyViews(ps), err
}

var (
	errPasskeyExpired = qrcircles.Fail(qrcircles.EGone, "authz.passkey_expired")
	errPasskeyRefused = qrcircles.Fail(qrcircles.EUnauthorized, "authz.passkey_refused")
	errPasskeyInvalid = qrcircles.Fail(qrcircles.EInvalid, "authz.passkey_invalid")
	errSignInFirst    = qrcircles.Fail(qrcircles.EUnauthorized, "authz.sign_in_first")
)

// signInMethods are the ways in that discovery advertises: SMS always, passkeys when on.
func (s *Server) signInMethods() []string {
	if s.passkeys == nil {
		return []string{"sms"}
	}
	return []string{"sms", "passkey"}
}
