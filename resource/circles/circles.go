// Package circles is what organizers and attendees do with circles: create them with their
// admission rules, join them with a scan session, and review who waits. It applies the pure
// admission rules to what storage reads under its locks, and speaks in *qrcircles.Error.
package circles

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	"qrcircles"
	"qrcircles/resource/qr"
	"qrcircles/storage"
)

// Store is what the service needs of the database.
type Store interface {
	CreateCircle(ctx context.Context, c *storage.Circle, allowlist []string) error
	Circle(ctx context.Context, id int64) (storage.Circle, error)
	CircleByCode(ctx context.Context, code string) (storage.Circle, error)
	UpdateCircle(ctx context.Context, c *storage.Circle, allowlist []string, fn func(ctx context.Context) error) error
	// Join runs one join: decide gets the facts read under the join's locks and says what
	// to write.
	Join(ctx context.Context, k storage.JoinKey, decide storage.JoinDecider) (storage.JoinOutcome, error)
	JoinRequest(ctx context.Context, circleID, requestID int64) (storage.JoinRequest, error)
	Deny(ctx context.Context, circleID, requestID, decidedBy int64, now time.Time) (storage.JoinRequest, error)
	RequestsOfCircle(ctx context.Context, circleID int64, status string) ([]storage.JoinRequest, error)
	Reopen(ctx context.Context, circleID, requestID int64) (storage.JoinRequest, error)
	CountFunnel(ctx context.Context, circleID int64, step string) error
	FunnelOf(ctx context.Context, circleID int64) (storage.Funnel, error)
	RequestsOfUser(ctx context.Context, userID int64, status string) ([]storage.JoinRequest, error)
	RequestOf(ctx context.Context, circleID, userID int64) (storage.JoinRequest, error)
	LatestRequest(ctx context.Context, userID, circleID int64) (storage.JoinRequest, error)
	Members(ctx context.Context, circleID int64) ([]storage.Member, error)
	MemberCount(ctx context.Context, circleID int64) (int, error)
	IsMember(ctx context.Context, circleID, userID int64) (bool, error)
	EndMembership(ctx context.Context, circleID, userID int64, status string, now time.Time) error
	CirclesOwnedBy(ctx context.Context, userID int64) ([]storage.Circle, error)
	CirclesJoinedBy(ctx context.Context, userID int64) ([]storage.Circle, error)
	Allowlist(ctx context.Context, circleID int64) ([]string, error)
	User(ctx context.Context, id int64) (storage.User, error)
	UserByPhone(ctx context.Context, phone string) (storage.User, error)
	CreateExclusion(ctx context.Context, userID int64, myPhone, otherPhone string, now time.Time) (storage.Exclusion, error)
	Exclusions(ctx context.Context, userID int64) ([]storage.Exclusion, error)
	DeleteExclusion(ctx context.Context, userID, id int64) error
	RefusesAllCircles(ctx context.Context, userID int64) (bool, error)
	SetRefuseAllCircles(ctx context.Context, userID int64, refuse bool, now time.Time) error
	AddAudit(ctx context.Context, e storage.AuditEntry) error
	AppendEvents(ctx context.Context, evs ...storage.Event) error
	// InTx runs fn in one transaction; an exclusion change and its audit entry share one.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service carries out circle actions.
type Service struct {
	Store     Store
	PublicURL *url.URL
	// NormalizePhone turns a phone number as a person types it into E.164, or an EInvalid
	// error on the field "phone"; the binary wires the authorization server's, with the
	// default region.
	NormalizePhone func(input string) (string, error)
	Now            func() time.Time
	// Events is woken after every change that wrote events (the push hub); may be nil.
	Events interface{ Notify() }

	joinCache qrcircles.TTLCache[int64, storage.Circle]
	// full remembers for a moment the capped circles whose last join found no seat: their
	// next joins are guessed to queue, in one flight (a free seat makes the guess fail, and
	// that join is decided again on the facts, as any wrong guess).
	full qrcircles.TTLCache[int64, bool]
}

// URL is the circle's address, the content of its QR code.
func (s *Service) URL(c storage.Circle) string { return s.PublicURL.String() + "/c/" + c.Code }

func (s *Service) normalizePhone(input string) (string, error) {
	if s.NormalizePhone == nil {
		return "", errors.New("circles: the service has no NormalizePhone")
	}
	return s.NormalizePhone(input)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// codeDraws bounds the draws for one circle. 1 to 4 draws in 100 are refused, by the URL's
// length, so 20 refused in a row means something else is wrong.
const codeDraws = 20

// newCode returns a fresh circle code whose URL's QR code common phone readers scan.
func (s *Service) newCode() (string, error) {
	return drawCode(randomCode, func(code string) string { return s.URL(storage.Circle{Code: code}) })
}

// drawCode draws codes from random until one whose url has a qr.Readable QR code.
func drawCode(random func() string, url func(code string) string) (string, error) {
	var err error
	for range codeDraws {
		code := random()
		if err = qr.Readable(url(code)); err == nil {
			return code, nil
		}
		if !errors.Is(err, qr.ErrUnreadable) {
			break
		}
	}
	return "", fmt.Errorf("circles: no scannable code: %w", err)
}

// randomCode returns 128 random bits, URL-safe: unguessable, so a circle's URL is its
// invitation.
func randomCode() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Get returns a circle.
func (s *Service) Get(ctx context.Context, id int64) (storage.Circle, error) {
	c, err := s.Store.Circle(ctx, id)
	return c, notFound(err, "circles.not_found")
}

// ByCode returns the circle of a QR code.
func (s *Service) ByCode(ctx context.Context, code string) (storage.Circle, error) {
	c, err := s.Store.CircleByCode(ctx, code)
	return c, notFound(err, "circles.no_code")
}

// owned returns the circle when actor organizes it.
func (s *Service) owned(ctx context.Context, actor, id int64) (storage.Circle, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return c, err
	}
	if c.OwnerID != actor {
		return c, qrcircles.Fail(qrcircles.EForbidden, "circles.organizer_only")
	}
	return c, nil
}

func notFound(err error, key string) error { return qrcircles.Explain(err, qrcircles.ENotFound, key) }

// joinCacheTTL is how long the join path reuses a circle it read. Staleness is harmless: the
// join transaction reads the circle again under its lock and decides on that.
const joinCacheTTL = 2 * time.Second

// ForJoin returns the circle for a join request, read at most joinCacheTTL ago.
func (s *Service) ForJoin(ctx context.Context, id int64) (storage.Circle, error) {
	return s.joinCache.Fetch(id, time.Now(), joinCacheTTL, func() (storage.Circle, error) { return s.Get(ctx, id) })
}

// notify wakes the push layer after a change committed with its events.
func (s *Service) notify(err error) {
	if err == nil && s.Events != nil {
		s.Events.Notify()
	}
}

// audit records an organizer's decision; a failure to record does not undo the decision.
func (s *Service) audit(ctx context.Context, err error, action string, actor int64, target string, detail map[string]string) {
	if err != nil {
		return
	}
	_ = s.Store.AddAudit(ctx, storage.NewAuditEntry(s.now(), action, actor, target, "", detail))
}
