package authz

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles/storage"
	"qrcircles/templates"
)

// UserStore is what logins, registration and consent need of the database.
type UserStore interface {
	EnsureUser(ctx context.Context, phone string, now time.Time) (storage.User, bool, error)
	User(ctx context.Context, id int64) (storage.User, error)
	SetDisplayName(ctx context.Context, id int64, name string, now time.Time) error
	CreateLoginSession(ctx context.Context, s storage.LoginSession) error
	LoginSession(ctx context.Context, idHash string, now time.Time) (storage.LoginSession, error)
	DeleteLoginSession(ctx context.Context, idHash string) error
	Consent(ctx context.Context, userID int64, clientID string) (storage.Consent, error)
	PutConsent(ctx context.Context, c storage.Consent) error
	Consents(ctx context.Context, userID int64) ([]storage.Consent, error)
	DeleteConsent(ctx context.Context, userID int64, clientID string) error
	// RevokeClientTokensFor revokes every token and unused code the client holds for subject.
	RevokeClientTokensFor(ctx context.Context, clientID, subject string) error
	AddAudit(ctx context.Context, e storage.AuditEntry) error
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
	storage.User
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
	if errors.Is(err, storage.ErrNotFound) {
		return CurrentUser{}, false, nil
	}
	if err != nil {
		return CurrentUser{}, false, fmt.Errorf("loading login session: %w", err)
	}
	user, err := s.store.User(ctx, ls.UserID)
	if errors.Is(err, storage.ErrNotFound) {
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
	err := s.store.CreateLoginSession(c.Request.Context(), storage.LoginSession{
		IDHash: hashID(id), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(LoginSessionLifespan),
	})
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, id, LoginSessionLifespan)
	return nil
}

func (s *Server) endSession(c *gin.Context) error {
	if ck, err := c.Request.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.store.DeleteLoginSession(c.Request.Context(), hashID(ck.Value)); err != nil {
			return err
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	return nil
}

func (s *Server) setCookie(c *gin.Context, name, value string, maxAge time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// CSRFToken returns the token forms of this browser carry: an HMAC of a random cookie value,
// so a page on another site can neither read nor forge it.
func (s *Server) CSRFToken(c *gin.Context) string {
	ck, err := c.Request.Cookie(csrfCookie)
	value := ""
	if err == nil && len(ck.Value) >= 32 {
		value = ck.Value
	} else if v, ok := c.Get(csrfCookie); ok {
		value = v.(string) // set earlier in this request
	} else {
		value = randomToken(32)
		c.Set(csrfCookie, value)
		s.setCookie(c, csrfCookie, value, 0)
	}
	return s.csrfFor(value)
}

func (s *Server) csrfFor(value string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a form post carries this browser's token.
func (s *Server) CheckCSRF(c *gin.Context) bool {
	ck, err := c.Request.Cookie(csrfCookie)
	if err != nil || len(ck.Value) < 32 {
		return false
	}
	got := c.PostForm(csrfField)
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.csrfFor(ck.Value))) == 1
}

// protectPage sends the headers of pages that ask for a phone, a code or consent: no framing
// (clickjacking), no caching, and a strict content policy.
func protectPage(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
}

// safeReturnTo accepts only a path on this site: "/x?y", never "//host", "/\host" or a URL;
// anything else returns to the account page.
func safeReturnTo(raw string) string {
	if raw != "/" && templates.SafeReturnTo(raw) == "/" {
		return "/account"
	}
	return raw
}
