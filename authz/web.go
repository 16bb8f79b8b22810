package authz

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/templates"
)

// UserStore is what logins, registration and consent need of the database.
type UserStore interface {
	EnsureUser(ctx context.Context, phone string, now time.Time) (qrcircles.User, bool, error)
	User(ctx context.Context, id int64) (qrcircles.User, error)
	SetDisplayName(ctx context.Context, id int64, name string, now time.Time) error
	CreateLoginSession(ctx context.Context, s qrcircles.LoginSession) error
	LoginSession(ctx context.Context, idHash string, now time.Time) (qrcircles.LoginSession, error)
	DeleteLoginSession(ctx context.Context, idHash string) error
	Consent(ctx context.Context, userID int64, clientID string) (qrcircles.Consent, error)
	PutConsent(ctx context.Context, c qrcircles.Consent) error
	Consents(ctx context.Context, userID int64) ([]qrcircles.Consent, error)
	DeleteConsent(ctx context.Context, userID int64, clientID string) error
	// RevokeClientTokensFor revokes every token and unused code the client holds for subject.
	RevokeClientTokensFor(ctx context.Context, clientID, subject string) error
	AddAudit(ctx context.Context, e qrcircles.AuditEntry) error
	// InTx runs fn in one transaction; a consent change and its audit entry share one.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

const (
	sessionCookie = "qrc_session"
	csrfCookie    = "qrc_csrf"
	csrfField     = "csrf"
)

// CurrentUser is the signed-in user of a browser request.
type CurrentUser struct {
	qrcircles.User
	LoginAt time.Time
}

// Session returns the signed-in user of the request; ok is false when nobody is signed in. An
// error means that the session could not be looked up (the database is unavailable): the
// person may well be signed in, so callers answer "try again", never "sign in".
func (s *Server) Session(r *http.Request) (CurrentUser, bool, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return CurrentUser{}, false, nil
	}
	ctx := r.Context()
	ls, err := s.store.LoginSession(ctx, hashID(ck.Value), s.now())
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		return CurrentUser{}, false, nil
	}
	if err != nil {
		return CurrentUser{}, false, fmt.Errorf("loading login session: %w", err)
	}
	user, err := s.store.User(ctx, ls.UserID)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		return CurrentUser{}, false, nil
	}
	if err != nil {
		return CurrentUser{}, false, fmt.Errorf("loading the user of a login session: %w", err)
	}
	return CurrentUser{User: user, LoginAt: ls.CreatedAt}, true, nil
}

// User is Session for callers to whom a session that cannot be looked up is as good as none
// (signing out); pages that need the person use Session.
func (s *Server) User(r *http.Request) (CurrentUser, bool) {
	u, ok, err := s.Session(r)
	if err != nil {
		s.log.ErrorContext(r.Context(), "loading login session", "error", err)
	}
	return u, ok
}

// startSession signs the user in on this browser.
func (s *Server) startSession(c *gin.Context, userID int64) error {
	id := randomToken(32)
	now := s.now().UTC()
	err := s.store.CreateLoginSession(c.Request.Context(), qrcircles.LoginSession{
		IDHash: hashID(id), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(LoginSessionLifespan),
	})
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, id, LoginSessionLifespan)
	s.rebindCSRF(c, id)
	return nil
}

func (s *Server) endSession(c *gin.Context) error {
	if ck, err := c.Request.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.store.DeleteLoginSession(c.Request.Context(), hashID(ck.Value)); err != nil {
			return err
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.rebindCSRF(c, "")
	return nil
}

func (s *Server) setCookie(c *gin.Context, name, value string, maxAge time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// The form token of a browser is bound to its sign-in session, or before sign-in to a
// pre-session cookie: a token is good only with the session (or pre-session) it was made for.
// Signing in starts a new session and drops the pre-session cookie, signing out ends the
// session; either way every token made before is refused afterwards.

// csrfState is what a browser's tokens may be bound to: its session cookie's value, its
// pre-session cookie's value. A session started or ended in this request, and a pre-session
// cookie made in it, are kept in the request's context under csrfStateKey.
type csrfState struct{ session, pre string }

const csrfStateKey = "qrc.csrf"

func (s *Server) csrfState(c *gin.Context) csrfState {
	if v, ok := c.Get(csrfStateKey); ok {
		return v.(csrfState)
	}
	var st csrfState
	if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		st.session = ck.Value
	}
	if ck, err := c.Request.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		st.pre = ck.Value
	}
	return st
}

// binding is what the tokens are bound to: the session when there is one, else the
// pre-session; ok is false when there is neither.
func (st csrfState) binding() (string, bool) {
	switch {
	case st.session != "":
		return "session:" + hashID(st.session), true
	case st.pre != "":
		return "pre-session:" + st.pre, true
	}
	return "", false
}

// CSRFToken returns the token forms of this browser carry: an HMAC of what the token is
// bound to, so a page on another site can neither read nor forge it.
func (s *Server) CSRFToken(c *gin.Context) string {
	st := s.csrfState(c)
	binding, ok := st.binding()
	if !ok {
		st.pre = randomToken(32)
		c.Set(csrfStateKey, st)
		s.setCookie(c, csrfCookie, st.pre, 0)
		binding, _ = st.binding()
	}
	return s.csrfFor(binding)
}

func (s *Server) csrfFor(binding string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a form post carries this browser's token for its current
// session, or before sign-in its pre-session.
func (s *Server) CheckCSRF(c *gin.Context) bool {
	binding, ok := s.csrfState(c).binding()
	if !ok {
		return false
	}
	got := c.PostForm(csrfField)
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.csrfFor(binding))) == 1
}

// rebindCSRF makes this browser's tokens follow the session started (id) or ended ("") in
// this request, and drops its pre-session cookie: no token made before is good after.
func (s *Server) rebindCSRF(c *gin.Context, id string) {
	c.Set(csrfStateKey, csrfState{session: id})
	if ck, err := c.Request.Cookie(csrfCookie); err == nil && ck.Value != "" {
		s.setCookie(c, csrfCookie, "", -1)
	}
}

// protectPage keeps pages that ask for a phone, a code or consent out of every cache. The
// security headers (no framing, the content policy) are the server's, on every page.
func protectPage(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
}

// safeReturnTo accepts only a path on this site: "/x?y", never "//host", "/\host" or a URL;
// anything else returns to the account page.
func safeReturnTo(raw string) string {
	if raw != "/" && templates.SafeReturnTo(raw) == "/" {
		return "/account"
	}
	return raw
}

// Viewer is how the navigation of a page on c learns who is signed in: their name (the phone
// number until they gave one) and the token of the sign-out form.
func (s *Server) Viewer(c *gin.Context) templates.ViewerFunc {
	return func() (templates.Viewer, bool) {
		u, ok, err := s.Session(c.Request)
		if err != nil || !ok {
			return templates.Viewer{}, false
		}
		name := u.DisplayName
		if name == "" {
			name = u.Phone
		}
		return templates.Viewer{Name: name, CSRF: s.CSRFToken(c), UserID: u.ID}, true
	}
}
