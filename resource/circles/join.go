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

// Join decides a scan session's request to join. The scan time is the server's, from the
// scan session; a repeat returns the same membership or request.
func (s *Service) Join(ctx context.Context, u storage.User, circleID int64, scan time.Time) (storage.JoinOutcome, error) {
	c, err := s.Get(ctx, circleID)
	if err != nil {
		return storage.JoinOutcome{}, err
	}
	return s.JoinCircle(ctx, u, c, scan)
}

// JoinCircle is Join for a circle the caller has already loaded (perhaps a little while ago:
// the decision rests on the circle as the join's transaction reads it).
func (s *Service) JoinCircle(ctx context.Context, u storage.User, c storage.Circle, scan time.Time) (storage.JoinOutcome, error) {
	return s.JoinOnSite(ctx, u, c, scan, false)
}

// JoinOnSite is JoinCircle for a scan that may have proven presence: onSite says that it
// carried the projector's current slot token (admission.ScannedOnSite).
func (s *Service) JoinOnSite(ctx context.Context, u storage.User, c storage.Circle, scan time.Time, onSite bool) (storage.JoinOutcome, error) {
	if c.Rules.Closed {
		return storage.JoinOutcome{}, qrcircles.Fail(qrcircles.EGone, "circles.closed")
	}
	now := s.now()
	q := storage.JoinRequest{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, ScanTime: scan.UTC()}
	decide := func(f storage.JoinFacts) (*storage.JoinWrite, error) {
		if repeat(f) {
			return nil, nil
		}
		return decided(f, q, ruleDecision(f, q, onSite), 0, now)
	}
	k := storage.JoinKey{CircleID: c.ID, UserID: u.ID, Phone: u.Phone, Seat: c.Rules.Cap > 0}
	full, _ := s.full.Get(c.ID, now)
	k.Guess, _ = guess(c, full, decide)
	out, err := s.Store.Join(ctx, k, decide)
	s.notify(err)
	if err == nil && c.Rules.Cap > 0 {
		s.full.Put(c.ID, slices.Contains(out.Request.Reasons, qrcircles.ReasonCapReached) && !out.Member, now, time.Second)
	}
	if err == nil && out.Request.Status == storage.RequestRefused && slices.Contains(out.Request.Reasons, qrcircles.ReasonClosed) {
		return out, qrcircles.Fail(qrcircles.EGone, "circles.closed")
	}
	return out, notFound(err, "circles.not_found")
}

// guess decides a join in advance on the usual facts: a first request, to the circle as
// the caller read it, from someone on its allowlist (if it has one) who is not excluded and
// refuses no circles, and who gets a seat of a capped circle unless it was full a moment
// ago. Storage writes it only if that is so.
func guess(c storage.Circle, full bool, decide storage.JoinDecider) (*storage.JoinGuess, error) {
	usual := storage.JoinFacts{Circle: c, Listed: c.AllowlistSize > 0}
	if full {
		usual.Members = c.Rules.Cap
	}
	w, err := decide(usual)
	if err != nil || w == nil {
		return nil, err
	}
	return &storage.JoinGuess{Facts: usual, Write: *w}, nil
}

// repeat reports a join that changes nothing: the person is a member, waits, or was denied,
// and gets their membership or request back as it is.
func repeat(f storage.JoinFacts) bool {
	p := f.Previous
	return p != nil && (f.Member || p.Status == storage.RequestWaiting || p.Status == storage.RequestDenied)
}

// ruleDecision decides q by the circle's rules; onSite says whether its scan proved
// presence. Someone the organizer removed waits for review.
func ruleDecision(f storage.JoinFacts, q storage.JoinRequest, onSite bool) qrcircles.Decision {
	r := f.Circle.Rules
	if f.Previous != nil && f.Previous.Status == storage.RequestRemoved {
		r.Mode = qrcircles.ModeReview
	}
	st := stateOf(f)
	st.OnSite = onSite
	return admission.Decide(r, applicant(f, q), q.ScanTime, st)
}

// rulesAgain decides a waiting request q again by the rules. Whether its scan was made on
// site is known from its reasons: a scan that failed the on-site rule says so, and one
// decided before the circle became on-site-only counts as on site.
func rulesAgain(f storage.JoinFacts, q storage.JoinRequest) qrcircles.Decision {
	return ruleDecision(f, q, !slices.Contains(q.Reasons, qrcircles.ReasonNotOnSite))
}

// approval is the organizer's decision: it sets aside the window, the ranges and where the
// code was scanned, never the member cap, an exclusion or the person's refusal of all
// circles.
func approval(f storage.JoinFacts, q storage.JoinRequest) qrcircles.Decision {
	r := f.Circle.Rules
	r.Mode, r.Closed, r.OnSite = qrcircles.ModeOpen, false, qrcircles.OnSiteOff
	return admission.Decide(r, applicant(f, q), q.ScanTime, stateOf(f))
}

// applicant is the person of q. Storage looked the phone up on the circle's allowlist
// instead of loading thousands of numbers into the rules.
func applicant(f storage.JoinFacts, q storage.JoinRequest) admission.Applicant {
	a := admission.Applicant{UserID: q.UserID, Phone: q.Phone}
	if f.Circle.AllowlistSize > 0 {
		a.Listed = &f.Listed
	}
	return a
}

func stateOf(f storage.JoinFacts) admission.State {
	return admission.State{Members: f.Members, Excluded: f.Excluded, RefusesAll: f.RefusesAll}
}

// decided is what decision d makes of request q: its status, and the events that report it.
func decided(f storage.JoinFacts, q storage.JoinRequest, d qrcircles.Decision, by int64, now time.Time) (*storage.JoinWrite, error) {
	q.Reasons, q.DecidedAt, q.DecidedBy = d.Reasons, now, by
	switch d.Outcome {
	case qrcircles.Admit:
		q.Status = storage.RequestAdmitted
	case qrcircles.Queue:
		q.Status, q.DecidedAt, q.DecidedBy = storage.RequestWaiting, time.Time{}, 0
	default:
		q.Status = storage.RequestRefused
	}
	evs, err := joinEvents(f.Circle, q, f.Previous)
	return &storage.JoinWrite{Request: q, Member: q.Status == storage.RequestAdmitted, Events: evs, At: now}, err
}

// joinEvents reports a decision: to the circle when someone joined, to the applicant when
// their request was decided, to the organizer when a new request waits.
func joinEvents(c storage.Circle, q storage.JoinRequest, prev *storage.JoinRequest) ([]storage.Event, error) {
	body := map[string]any{"circle_id": c.ID, "user_id": q.UserID, "status": q.Status, "reasons": qrcircles.ReasonsText(q.Reasons)}
	var out []storage.Event
	add := func(e storage.Event, err error) error {
		out = append(out, e)
		return err
	}
	var err error
	switch q.Status {
	case storage.RequestAdmitted:
		err = add(qrcircles.ToCircle(c.ID, q.UserID, qrcircles.EventMemberJoined, body)) // the new member hears it too
		if prev != nil && prev.Status == storage.RequestWaiting {
			err = errors.Join(err, add(qrcircles.ToUser(q.UserID, q.UserID, qrcircles.EventRequestDecided, body)))
		}
	case storage.RequestWaiting:
		if prev == nil || prev.Status != storage.RequestWaiting {
			err = add(qrcircles.ToUser(c.OwnerID, q.UserID, qrcircles.EventRequestCreated, body))
		}
	default:
		err = add(qrcircles.ToUser(q.UserID, q.UserID, qrcircles.EventRequestDecided, body))
	}
	return out, err
}

// redecide decides the waiting request q again by how, under the locks of a join, in one
// transaction (the caller's, if any). by is the organizer, or 0 for the rules.
func (s *Service) redecide(ctx context.Context, q storage.JoinRequest, by int64, how func(storage.JoinFacts, storage.JoinRequest) qrcircles.Decision) (storage.JoinOutcome, error) {
	now := s.now()
	k := storage.JoinKey{CircleID: q.CircleID, UserID: q.UserID, Phone: q.Phone, Exclusive: true}
	return s.Store.Join(ctx, k, func(f storage.JoinFacts) (*storage.JoinWrite, error) {
		p := f.Previous
		if p == nil || p.ID != q.ID {
			return nil, fmt.Errorf("join request %d: %w", q.ID, storage.ErrNotFound)
		}
		if p.Status != storage.RequestWaiting {
			return nil, fmt.Errorf("join request %d is %s: %w", p.ID, p.Status, storage.ErrConflict)
		}
		again := storage.JoinRequest{CircleID: p.CircleID, UserID: p.UserID, Phone: p.Phone, ScanTime: p.ScanTime}
		return decided(f, again, how(f, *p), by, now)
	})
}

// redecideWaiting decides every waiting request of the circle again by its rules, inside the
// transaction that changed them, and returns how many were admitted.
func (s *Service) redecideWaiting(ctx context.Context, circleID int64) (int, error) {
	waiting, err := s.Store.RequestsOfCircle(ctx, circleID, storage.RequestWaiting)
	if err != nil {
		return 0, err
	}
	admitted := 0
	for _, q := range waiting {
		out, err := s.redecide(ctx, q, 0, rulesAgain)
		if err != nil {
			return admitted, err
		}
		if out.Member {
			admitted++
		}
	}
	return admitted, nil
}

// endMembership ends a membership with its events, in one transaction. The person gets a
// copy: replay follows current membership, which no longer has them.
func (s *Service) endMembership(ctx context.Context, circleID, userID int64, status string) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.EndMembership(ctx, circleID, userID, status, s.now()); err != nil {
			return err
		}
		body := map[string]any{"circle_id": circleID, "user_id": userID, "status": status}
		left, err1 := qrcircles.ToCircle(circleID, userID, qrcircles.EventMemberLeft, body)
		copy, err2 := qrcircles.ToUser(userID, userID, qrcircles.EventMemberLeft, body)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		return s.Store.AppendEvents(ctx, left, copy)
	})
}
