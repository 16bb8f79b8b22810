package circles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"qrcircles"
	"qrcircles/resource/admission"
	"qrcircles/storage"
)

// Declined lists the requests the organizer declined, for the "Declined" list.
func (s *Service) Declined(ctx context.Context, actor, circleID int64) ([]storage.JoinRequest, error) {
	if _, err := s.owned(ctx, actor, circleID); err != nil {
		return nil, err
	}
	return s.Store.RequestsOfCircle(ctx, circleID, storage.RequestDenied)
}

// Reopen puts a declined request back in the review queue.
func (s *Service) Reopen(ctx context.Context, actor, circleID, requestID int64) (storage.JoinRequest, error) {
	c, err := s.owned(ctx, actor, circleID)
	if err != nil {
		return storage.JoinRequest{}, err
	}
	var q storage.JoinRequest
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if q, err = s.Store.Reopen(ctx, circleID, requestID); err != nil {
			return err
		}
		body := map[string]any{"circle_id": circleID, "user_id": q.UserID, "status": q.Status, "reasons": qrcircles.ReasonsText(q.Reasons)}
		toOwner, err1 := qrcircles.ToUser(c.OwnerID, q.UserID, qrcircles.EventRequestCreated, body)
		toApplicant, err2 := qrcircles.ToUser(q.UserID, q.UserID, qrcircles.EventRequestDecided, body)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		return s.Store.AppendEvents(ctx, toOwner, toApplicant)
	})
	s.notify(err)
	s.audit(ctx, err, qrcircles.AuditRequestReopen, actor, fmt.Sprintf("circle:%d/request:%d", circleID, requestID), nil)
	return q, requestErr(err)
}

// ApproveAnyway admits a declined request: it is reopened, then approved as any waiting one.
// When the approval cannot admit (the circle is full), the request stays in the queue.
func (s *Service) ApproveAnyway(ctx context.Context, actor, circleID, requestID int64) (storage.JoinOutcome, error) {
	if _, err := s.Reopen(ctx, actor, circleID, requestID); err != nil {
		return storage.JoinOutcome{}, err
	}
	return s.Approve(ctx, actor, circleID, requestID)
}

// Filter picks waiting requests for approve-all and deny-all: by one reason, and by scan
// time (inclusive; a zero bound is open).
type Filter struct {
	Reason   qrcircles.Reason // "" is any reason
	From, To time.Time
}

// Match reports whether q is one the filter picks.
func (f Filter) Match(q storage.JoinRequest) bool {
	if f.Reason != "" && !slices.Contains(q.Reasons, f.Reason) {
		return false
	}
	if !f.From.IsZero() && q.ScanTime.Before(f.From) {
		return false
	}
	return f.To.IsZero() || !q.ScanTime.After(f.To)
}

// Bulk is what approve-all or deny-all did.
type Bulk struct {
	Matched, Done int // Done: admitted, or declined
}

// DecideAll approves (approve true) or declines every waiting request the filter picks, one
// by one under the same rules as a single decision: an approval never passes the cap.
func (s *Service) DecideAll(ctx context.Context, actor, circleID int64, f Filter, approve bool) (Bulk, error) {
	qs, err := s.Requests(ctx, actor, circleID)
	if err != nil {
		return Bulk{}, err
	}
	var b Bulk
	for _, q := range qs {
		if !f.Match(q) {
			continue
		}
		b.Matched++
		ok, err := s.decideOne(ctx, actor, circleID, q.ID, approve)
		if qrcircles.CodeOf(err) == qrcircles.EConflict {
			continue // decided meanwhile, by another tab or the rules
		}
		if err != nil {
			return b, err
		}
		if ok {
			b.Done++
		}
	}
	return b, nil
}

func (s *Service) decideOne(ctx context.Context, actor, circleID, requestID int64, approve bool) (bool, error) {
	if !approve {
		_, err := s.Deny(ctx, actor, circleID, requestID)
		return err == nil, err
	}
	out, err := s.Approve(ctx, actor, circleID, requestID)
	return out.Member, err
}

// Explain gives the organizer's sentences for a request's reasons, with the values that
// failed each rule (admission.Explain); members is the circle's member count now.
func Explain(c storage.Circle, q storage.JoinRequest, members int) []qrcircles.Words {
	zone, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	f := admission.Facts{Rules: c.Rules, HasAllowlist: c.AllowlistSize > 0, Scan: q.ScanTime, Members: members, Zone: zone,
		Applicant: admission.Applicant{UserID: q.UserID, Phone: q.Phone}}
	return admission.Explain(q.Reasons, f)
}

// MemberCount counts a circle's members, for its landing page and projector view.
func (s *Service) MemberCount(ctx context.Context, circleID int64) (int, error) {
	return s.Store.MemberCount(ctx, circleID)
}

// Full reports whether a circle has reached its member cap.
func (s *Service) Full(ctx context.Context, c storage.Circle) (bool, error) {
	if c.Rules.Cap <= 0 {
		return false, nil
	}
	n, err := s.MemberCount(ctx, c.ID)
	return n >= c.Rules.Cap, err
}

// CountFunnel counts one step of the join funnel (storage.FunnelOpened, FunnelSignedIn).
func (s *Service) CountFunnel(ctx context.Context, circleID int64, step string) error {
	return s.Store.CountFunnel(ctx, circleID, step)
}

// Funnel is the circle's join funnel, for its organizer.
func (s *Service) Funnel(ctx context.Context, actor, circleID int64) (storage.Funnel, error) {
	if _, err := s.owned(ctx, actor, circleID); err != nil {
		return storage.Funnel{}, err
	}
	return s.Store.FunnelOf(ctx, circleID)
}
