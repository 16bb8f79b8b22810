package authz

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/authz/otp"
)

// SignInStore is what the venue-proof SMS limits need of the database: a circle's budget of
// codes, and spending a proof of work once.
type SignInStore interface {
	// CircleSMSBudget returns the circle's expected attendance (0: not set) and member cap.
	CircleSMSBudget(ctx context.Context, circleID int64) (budget, memberCap int, err error)
	// SpendProof returns an error when the proof was spent already.
	SpendProof(ctx context.Context, id string, expiresAt time.Time) error
}

// Proofs of work asked of a busy network.
const (
	// DefaultProofMaxNumber makes a phone try 50,000 hashes on average: a few seconds.
	DefaultProofMaxNumber = 100_000
	proofLifespan         = 10 * time.Minute
	proofField            = "altcha" // the form field the widget fills
)

// sendOrigin is where a request for a code comes from: its client IP, and the circle whose
// page the sign-in started at, when this browser holds a pending scan for it that the
// return address continues (see StartScan). An error means the database could not say.
func (s *Server) sendOrigin(c *gin.Context, returnTo string) (otp.Origin, error) {
	o := otp.Origin{IP: c.ClientIP()}
	if s.signIn == nil || s.circles == nil {
		return o, nil
	}
	u, err := url.Parse(returnTo)
	if err != nil || u.Path != "/oauth2/auth" || u.Query().Get("client_id") != FirstPartyClientID {
		return o, nil
	}
	ctx := c.Request.Context()
	p, err := s.store.PendingScan(ctx, hashID(u.Query().Get("state")))
	if err := qrcircles.IgnoreNotFound(err); err != nil {
		return o, err
	}
	binding, _ := c.Cookie(scanCookie)
	if err != nil || binding == "" || hashID(binding) != p.BindingHash || s.now().Sub(p.CreatedAt) > pendingScanLifespan {
		return o, nil
	}
	code, ok := circleCode(s.issuer.String(), p.CircleURL)
	if !ok {
		return o, nil
	}
	circle, err := s.circles.CircleByCode(ctx, code)
	if err != nil {
		return o, qrcircles.IgnoreNotFound(err)
	}
	budget, memberCap, err := s.signIn.CircleSMSBudget(ctx, circle.ID)
	if err != nil {
		return o, qrcircles.IgnoreNotFound(err)
	}
	o.CircleID, o.CircleBudget = circle.ID, qrcircles.CircleSMSBudget(budget, memberCap)
	return o, nil
}

// newProof makes a challenge for the widget, as the JSON it reads from its attribute.
func (s *Server) newProof() (string, error) {
	ch, err := otp.NewProofChallenge(s.proofKey, s.proofMax, proofLifespan, s.now())
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(ch)
	return string(b), err
}

// spendProof checks the widget's payload and spends it: a solution works once.
func (s *Server) spendProof(ctx context.Context, payload string) error {
	id, expires, err := otp.VerifyProof(s.proofKey, payload, s.now())
	if err != nil {
		return errProofFailed
	}
	if err := s.signIn.SpendProof(ctx, id, expires); err != nil {
		if qrcircles.Unavailable(err) {
			return err
		}
		return errProofFailed
	}
	return nil
}

var errProofFailed = qrcircles.Fail(qrcircles.EInvalid, "signin.proof_failed").WithField(proofField).WithCause(errors.New("proof of work refused"))
