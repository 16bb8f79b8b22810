// Package phoneauth logs people in by phone number and SMS code: it sends a code within the
// abuse limits and checks what the person types. The login pages call it; it decides nothing
// about accounts.
package phoneauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"qrcircles"
	"qrcircles/authz/otp"
	"qrcircles/authz/phone"
	"qrcircles/authz/sms"
)

// Store keeps the challenges and the limit counters. *storage.DB implements it.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	HitRateCounter(ctx context.Context, key string, period time.Duration, now time.Time) (otp.Window, error)
	CreateOTPChallenge(ctx context.Context, c otp.Challenge) error
	// OTPChallenge returns an error wrapping otp.ErrUnknownChallenge when there is none.
	OTPChallenge(ctx context.Context, id string) (otp.Challenge, error)
	RecordWrongOTP(ctx context.Context, id string) (wrongTries int, err error)
	// UseOTPChallenge returns an error wrapping otp.ErrUsed when it was used already.
	UseOTPChallenge(ctx context.Context, id string, now time.Time) error
}

// Service sends and checks login codes.
type Service struct {
	Store         Store
	Sender        sms.Sender
	Policy        otp.Policy
	Secret        []byte // keys the hash of the codes the server makes; use it for nothing else
	DefaultRegion string // for numbers typed without a country code
	// Regions lists the regions (ISO 3166 letters) whose numbers may be sent codes; none
	// means every region. It keeps SMS pumping to premium numbers abroad out.
	Regions []string
	Logger  *slog.Logger
	// Sent, when set, counts every send by provider and result ("sent" or "failed").
	Sent func(provider, result string)
}

// minSecretLen is the shortest Secret accepted for hashing codes.
const minSecretLen = 16

// errRefused rolls back the counters of a request that a limit refused.
var errRefused = errors.New("phoneauth: refused by a limit")

// errPeeked rolls back the counters of a request that only looked at the limits.
var errPeeked = errors.New("phoneauth: only peeked at the limits")

// ErrProofRequired is the cause of a refusal by the per-IP limit, which a proof of work
// lifts: the page asks for one instead of refusing.
var ErrProofRequired = errors.New("phoneauth: the network's limit is reached; a proof of work lifts it")

// Send sends a new code to rawPhone for a request from o and returns the challenge ID the
// code must be checked against, with the number in E.164. Every failure is a
// *qrcircles.Error; one that a proof of work would lift wraps ErrProofRequired.
func (s *Service) Send(ctx context.Context, rawPhone string, o otp.Origin, locale string, now time.Time) (challengeID, e164 string, err error) {
	e164, err = phone.Normalize(rawPhone, s.DefaultRegion)
	if err != nil {
		return "", "", err
	}
	if !s.regionAllowed(e164) {
		return "", "", errRegion
	}
	if err := s.allowSend(ctx, e164, o, now); err != nil {
		return "", "", err
	}
	ch, code, err := s.newChallenge(e164, now)
	if err != nil {
		return "", "", internal(err)
	}
	ref, err := s.Sender.Send(ctx, sms.Message{To: e164, Code: code, Locale: locale, TTL: s.Policy.CodeTTL})
	s.count(err)
	if err != nil {
		return "", "", s.sendFailed(ctx, e164, err)
	}
	ch.ProviderRef = ref
	if err := s.Store.CreateOTPChallenge(ctx, ch); err != nil {
		return "", "", internal(err)
	}
	s.log().InfoContext(ctx, "login code sent", "phone", maskPhone(e164), "provider", ch.Provider)
	return ch.ID, e164, nil
}

// newChallenge starts a challenge. When the server checks codes it also makes the code and
// keeps only its keyed hash; a verifying provider makes its own.
func (s *Service) newChallenge(e164 string, now time.Time) (otp.Challenge, string, error) {
	ch, err := otp.NewChallenge(e164, s.Sender.Provider(), s.Policy, now)
	if _, providerChecks := s.Sender.(sms.Verifier); err != nil || providerChecks {
		return ch, "", err
	}
	if len(s.Secret) < minSecretLen {
		return ch, "", fmt.Errorf("phoneauth: the secret that keys code hashes is shorter than %d bytes", minSecretLen)
	}
	code, err := otp.NewCode()
	if err != nil {
		return ch, "", err
	}
	ch.CodeHash = otp.HashCode(s.Secret, ch.ID, code)
	return ch, code, nil
}

// Verify checks code against the challenge for a request from clientIP and returns the phone
// it proves, in E.164. A right code works once; a wrong one counts against the challenge.
// Only checks that fail count against clientIP's limit: a venue of hundreds behind one
// address types its right codes freely, while guessing from it stops. Every failure is a
// *qrcircles.Error.
func (s *Service) Verify(ctx context.Context, challengeID, code, clientIP string, now time.Time) (e164 string, err error) {
	limits := s.Policy.VerifyLimits(clientIP)
	if err := s.refusal(s.hit(ctx, limits, now, true)); err != nil {
		return "", err
	}
	e164, err = s.verify(ctx, challengeID, code, now)
	if code := qrcircles.CodeOf(err); err != nil && code != qrcircles.EInternal && code != qrcircles.EUnavailable {
		if _, herr := s.hit(ctx, limits, now, false); herr != nil && !errors.Is(herr, errRefused) {
			return "", internal(herr)
		}
	}
	return e164, err
}

// verify is Verify without the limit on the client's address.
func (s *Service) verify(ctx context.Context, challengeID, code string, now time.Time) (e164 string, err error) {
	code, ok := otp.ParseCode(code)
	if !ok {
		return "", qrcircles.Fail(qrcircles.EInvalid, "signin.code_format", otp.CodeLength).WithField("code")
	}
	if v, ok := s.Sender.(sms.Verifier); ok {
		// The provider is asked outside any transaction; it limits checks itself.
		return s.settle(ctx, challengeID, now, func(ch otp.Challenge) (bool, error) {
			return s.providerMatches(ctx, v, ch, code)
		})
	}
	var outcome error
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		e164, outcome = s.settle(ctx, challengeID, now, func(ch otp.Challenge) (bool, error) {
			return otp.CodeMatches(s.Secret, ch, code), nil
		})
		if code := qrcircles.CodeOf(outcome); code == qrcircles.EInternal || code == qrcircles.EUnavailable {
			return outcome
		}
		return nil // a wrong try is kept
	})
	if err != nil {
		return "", internal(err)
	}
	return e164, outcome
}

// settle loads the challenge (locked, inside a transaction), checks that it is still usable,
// asks matches, and records the outcome: the challenge used, or one more wrong try.
func (s *Service) settle(ctx context.Context, id string, now time.Time, matches func(otp.Challenge) (bool, error)) (string, error) {
	ch, err := s.Store.OTPChallenge(ctx, id)
	if errors.Is(err, otp.ErrUnknownChallenge) {
		return "", gone(otp.ErrExpired)
	}
	if err != nil {
		return "", internal(err)
	}
	if err := s.Policy.Usable(ch, now); err != nil {
		return "", gone(err)
	}
	if ch.Provider != s.Sender.Provider() {
		return "", gone(otp.ErrExpired) // sent through a provider no longer configured
	}
	ok, err := matches(ch)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", s.wrongCode(ctx, ch)
	}
	if err := s.Store.UseOTPChallenge(ctx, ch.ID, now); errors.Is(err, otp.ErrUsed) {
		return "", gone(err)
	} else if err != nil {
		return "", internal(err)
	}
	return ch.Phone, nil
}

func (s *Service) wrongCode(ctx context.Context, ch otp.Challenge) error {
	tries, err := s.Store.RecordWrongOTP(ctx, ch.ID)
	if err != nil {
		return internal(err)
	}
	ch.WrongTries = tries
	if s.Policy.Dead(ch) {
		return gone(otp.ErrDead)
	}
	left := s.Policy.TriesLeft(ch)
	if left == 1 {
		return qrcircles.Fail(qrcircles.EInvalid, "signin.code_wrong_one").WithField("code")
	}
	return qrcircles.Fail(qrcircles.EInvalid, "signin.code_wrong", left).WithField("code")
}

// providerMatches asks a verifying provider about the code.
func (s *Service) providerMatches(ctx context.Context, v sms.Verifier, ch otp.Challenge, code string) (bool, error) {
	err := v.Check(ctx, ch.ProviderRef, ch.Phone, code)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sms.ErrWrongCode):
		return false, nil
	case errors.Is(err, sms.ErrCodeExpired):
		return false, gone(otp.ErrExpired)
	case errors.Is(err, sms.ErrTooManyAttempts):
		return false, gone(otp.ErrDead)
	}
	s.log().WarnContext(ctx, "SMS provider failed to check a code", "phone", maskPhone(ch.Phone), "err", err)
	return false, unavailable(err)
}

// allow hits the counters of every limit in one transaction and rolls them back when a limit
// refuses, so that a refused request uses none of the budget.
// allowSend counts one code sent to e164 for a request from o. Past its circle's budget a
// sign-in counts as one without a circle: against its IP, where a proof of work can stand in,
// so that nobody who scanned the code is turned away for the budget alone (a full circle still
// queues its applicants). A refused count changes no counter: the next try starts clean.
func (s *Service) allowSend(ctx context.Context, e164 string, o otp.Origin, now time.Time) error {
	d, err := s.hit(ctx, s.Policy.SendLimits(e164, o), now, false)
	if errors.Is(err, errRefused) && d.Limit == otp.LimitCircleDaily {
		o.CircleID = 0
		d, err = s.hit(ctx, s.Policy.SendLimits(e164, o), now, false)
	}
	return s.refusal(d, err)
}

// hit counts one request on each limit in one transaction, which rolls back when a limit
// refuses it (errRefused, with the decision saying which), and always when it only peeks:
// then it says what counting would decide, and counts nothing.
func (s *Service) hit(ctx context.Context, limits []otp.Limit, now time.Time, peek bool) (otp.Decision, error) {
	var d otp.Decision
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		hits := make([]otp.Hit, len(limits))
		for i, l := range limits {
			w, err := s.Store.HitRateCounter(ctx, l.Key, l.Period, now)
			if err != nil {
				return err
			}
			hits[i] = otp.Hit{Limit: l, Window: w}
		}
		if d = otp.Decide(hits, now); !d.Allowed {
			return errRefused
		}
		if peek {
			return errPeeked
		}
		return nil
	})
	if errors.Is(err, errPeeked) {
		err = nil
	}
	return d, err
}

// refusal is the error a person meets for a count's decision.
func (s *Service) refusal(d otp.Decision, err error) error {
	switch {
	case errors.Is(err, errRefused) && d.Limit == otp.LimitIPHourly:
		return tooMany(d.Limit, d.RetryAfter).WithCause(ErrProofRequired)
	case errors.Is(err, errRefused):
		return tooMany(d.Limit, d.RetryAfter)
	case err != nil:
		return internal(err)
	}
	return nil
}

// regionAllowed reports whether codes may be sent to the number's region.
func (s *Service) regionAllowed(e164 string) bool {
	if len(s.Regions) == 0 {
		return true
	}
	return slices.Contains(s.Regions, phone.Region(e164))
}

var errRegion = qrcircles.Fail(qrcircles.EInvalid, "signin.region").WithField("phone")

// sendFailed turns a provider's refusal into what the person can do about it.
func (s *Service) sendFailed(ctx context.Context, e164 string, err error) error {
	s.log().WarnContext(ctx, "SMS provider did not send a code", "phone", maskPhone(e164), "err", err)
	switch {
	case errors.Is(err, sms.ErrInvalidPhone):
		return qrcircles.Fail(qrcircles.EInvalid, "signin.no_sms").WithField("phone").WithCause(err)
	case errors.Is(err, sms.ErrTooManyAttempts):
		return tooMany(otp.LimitPhoneHourly, 10*time.Minute).WithCause(err)
	case errors.Is(err, sms.ErrRateLimited):
		return tooMany(otp.LimitGlobal, time.Minute).WithCause(err)
	}
	return unavailable(err)
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// maskPhone keeps enough of a number to tell log lines apart and no more.
func maskPhone(e164 string) string {
	if len(e164) < 10 {
		return "****"
	}
	return e164[:len(e164)-8] + "****" + e164[len(e164)-4:]
}

func (s *Service) count(err error) {
	if s.Sent == nil {
		return
	}
	result := "sent"
	if err != nil {
		result = "failed"
	}
	s.Sent(s.Sender.Provider(), result)
}
