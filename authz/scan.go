package authz

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"qrcircles"
	"qrcircles/templates"
)

// ScanStore keeps browser scans between the circle page and the callback.
type ScanStore interface {
	CreatePendingScan(ctx context.Context, p qrcircles.PendingScan) error
	PendingScan(ctx context.Context, stateHash string) (qrcircles.PendingScan, error)
	TakePendingScan(ctx context.Context, stateHash string) (qrcircles.PendingScan, error)
}

// ScanHandler takes over a browser once its scan session is issued (the join and its page).
type ScanHandler func(c *gin.Context, r qrcircles.ScanResult)

const scanCookie = "qrc_scan"

// pendingScanLifespan bounds the time from opening a circle's page to finishing sign-in.
const pendingScanLifespan = 30 * time.Minute

// OnScan sets what happens after a browser scan completes.
func (s *Server) OnScan(h ScanHandler) { s.onScan = h }

// StartScan begins the browser path of a scan: it keeps the scan time server-side with a
// PKCE verifier, bound to this browser, and sends the browser into an authorization request
// of the first-party client with the circle as audience. returnTo, a path on this server,
// travels with the scan to the scan handler ("" when the circle's own pages follow).
func (s *Server) StartScan(c *gin.Context, circleURL string, scanTime time.Time, returnTo string) {
	if templates.SafeReturnTo(returnTo) != returnTo {
		returnTo = ""
	}
	state, verifier, binding := randomToken(24), randomToken(32), randomToken(24)
	err := s.store.CreatePendingScan(c.Request.Context(), qrcircles.PendingScan{
		StateHash: hashID(state), BindingHash: hashID(binding), Verifier: verifier,
		CircleURL: circleURL, ReturnTo: returnTo, ScanTime: scanTime.UTC(), CreatedAt: s.now().UTC(),
	})
	if err != nil {
		s.renderError(c, "message", titleFor(err, "error.title"), err, nil)
		return
	}
	s.setCookie(c, scanCookie, binding, pendingScanLifespan)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id": {FirstPartyClientID}, "response_type": {"code"}, "redirect_uri": {s.callbackURL()},
		"scope": {ScanScope}, "audience": {circleURL}, "state": {state},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	c.Redirect(http.StatusSeeOther, "/oauth2/auth?"+q.Encode())
}

func (s *Server) callbackURL() string { return s.issuer.String() + "/auth/callback" }

// scanTimeFor gives the first-party client's authorization the scan time kept by StartScan.
// An error means the database could not say: a scan must not lose its time to an outage.
func (s *Server) scanTimeFor(ctx context.Context, ar fosite.AuthorizeRequester) (time.Time, error) {
	if ar.GetClient().GetID() != FirstPartyClientID || len(ar.GetRequestedAudience()) != 1 {
		return time.Time{}, nil
	}
	p, err := s.store.PendingScan(ctx, hashID(ar.GetState()))
	if qrcircles.Unavailable(err) {
		return time.Time{}, err
	}
	if err != nil || p.CircleURL != ar.GetRequestedAudience()[0] {
		return time.Time{}, nil
	}
	return p.ScanTime, nil
}

// callback ends the browser path: the first-party client exchanges its code in-process and
// hands the scan session to the scan handler.
func (s *Server) callback(c *gin.Context) {
	ctx := c.Request.Context()
	binding, _ := c.Cookie(scanCookie)
	p, err := s.store.TakePendingScan(ctx, hashID(c.Query("state")))
	if qrcircles.Unavailable(err) {
		s.renderError(c, "message", titleUnavailable, err, nil) // the scan is still there: reload
		return
	}
	if err != nil || binding == "" || hashID(binding) != p.BindingHash || s.now().Sub(p.CreatedAt) > pendingScanLifespan {
		s.renderError(c, "message", "title.scan_again", errScanExpired, nil)
		return
	}
	s.setCookie(c, scanCookie, "", -1)
	if e := c.Query("error"); e != "" {
		s.renderError(c, "message", "title.not_joined", errNotJoined, nil)
		return
	}
	res, err := s.exchangeCode(ctx, c.Query("code"), p.Verifier)
	if err != nil {
		s.renderError(c, "message", titleFor(err, "title.scan_again"), err, nil)
		return
	}
	res.CircleURL, res.ReturnTo = p.CircleURL, p.ReturnTo
	s.onScan(c, res)
}

func (s *Server) exchangeCode(ctx context.Context, code, verifier string) (qrcircles.ScanResult, error) {
	form := url.Values{"grant_type": {GrantAuthorizationCode}, "code": {code}, "redirect_uri": {s.callbackURL()},
		"client_id": {FirstPartyClientID}, "code_verifier": {verifier}}
	req, _ := http.NewRequestWithContext(ctx, "POST", s.issuer.String()+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ar, err := s.oauth.NewAccessRequest(ctx, req, NewSession())
	if err == nil {
		_, err = s.oauth.NewAccessResponse(ctx, ar)
	}
	if err != nil {
		return qrcircles.ScanResult{}, errScanExpired.WithCause(err)
	}
	sess := ar.GetSession().(*Session)
	id, err := strconv.ParseInt(sess.Subject, 10, 64)
	if err != nil || sess.ScanTime.IsZero() {
		return qrcircles.ScanResult{}, errors.New("scan session without user or scan time")
	}
	return qrcircles.ScanResult{UserID: id, ScanTime: sess.ScanTime}, nil
}

// scanCodeLifespan gives a scan session made by the authorization code flow (the browser path)
// the lifespan of one made by token exchange: fosite's code flow would give it that of an
// ordinary access token. It runs after fosite's handler, which has loaded the session by then.
type scanCodeLifespan struct {
	lifespan time.Duration
	now      func() time.Time
}

var _ fosite.TokenEndpointHandler = scanCodeLifespan{}

func (h scanCodeLifespan) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	sess, ok := r.GetSession().(*Session)
	return ok && !sess.ScanTime.IsZero() && r.GetGrantTypes().ExactOne(GrantAuthorizationCode)
}

func (scanCodeLifespan) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool { return false }

func (h scanCodeLifespan) HandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) error {
	r.GetSession().SetExpiresAt(fosite.AccessToken, h.now().UTC().Add(h.lifespan))
	return nil
}

func (scanCodeLifespan) PopulateTokenEndpointResponse(context.Context, fosite.AccessRequester, fosite.AccessResponder) error {
	return nil
}

var (
	errScanExpired = qrcircles.Fail(qrcircles.EGone, "authz.scan_expired")
	errNotJoined   = qrcircles.Fail(qrcircles.EForbidden, "authz.not_joined")
)
