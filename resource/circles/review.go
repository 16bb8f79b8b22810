package circles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"qrcircles"
	"qrcircles/storage"
)

// Approve admits a waiting request. The organizer overrides the window and the ranges, not
// the cap, an exclusion, or the applicant's refusal of all circles.
func (s *Service) Approve(ctx context.Context, actor, circleID, requestID int64) (storage.JoinOutcome, error) {
	if _, err := s.owned(ctx, actor, circleID); err != nil {
		return storage.JoinOutcome{}, err
	}
	q, err := s.Store.JoinRequest(ctx, circleID, requestID)
	if err != nil {
		return storage.JoinOutcome{}, requestErr(err)
	}
	out, err := s.redecide(ctx, q, actor, approval)
	s.notify(err)
	s.audit(ctx, err, qrcircles.AuditRequestApprove, actor, fmt.Sprintf("circle:%d/request:%d", circleID, requestID), map[string]string{"status": out.Request.Status})
	return out, requestErr(err)
}

// Deny turns a waiting request down.
func (s *Service) Deny(ctx context.Context, actor, circleID, requestID int64) (storage.JoinRequest, error) {
	if _, err := s.owned(ctx, actor, circleID); err != nil {
		return storage.JoinRequest{}, err
	}
	var q storage.JoinRequest
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if q, err = s.Store.Deny(ctx, circleID, requestID, actor, s.now()); err != nil {
			return err
		}
		ev, err := qrcircles.ToUser(q.UserID, q.UserID, qrcircles.EventRequestDecided, map[string]any{"circle_id": circleID, "user_id": q.UserID, "status": q.Status})
		if err != nil {
			return err
		}
		return s.Store.AppendEvents(ctx, ev)
	})
	s.notify(err)
	s.audit(ctx, err, qrcircles.AuditRequestDeny, actor, fmt.Sprintf("circle:%d/request:%d", circleID, requestID), nil)
	return q, requestErr(err)
}

func requestErr(err error) error {
	err = qrcircles.Explain(err, qrcircles.ENotFound, "circles.request_not_found")
	return qrcircles.Explain(err, qrcircles.EConflict, "circles.request_decided")
}

// Requests lists a circle's waiting requests, for its organizer.
func (s *Service) Requests(ctx context.Context, actor, circleID int64) ([]storage.JoinRequest, error) {
	if _, err := s.owned(ctx, actor, circleID); err != nil {
		return nil, err
	}
	return s.Store.RequestsOfCircle(ctx, circleID, storage.RequestWaiting)
}

// Members lists a circle's members for a member or the organizer.
func (s *Service) Members(ctx context.Context, viewer, circleID int64) ([]storage.Member, error) {
	c, err := s.Get(ctx, circleID)
	if err != nil {
		return nil, err
	}
	if err := s.mayView(ctx, viewer, c); err != nil {
		return nil, err
	}
	return s.Store.Members(ctx, circleID)
}

// mayView lets the organizer and the members see inside a circle.
func (s *Service) mayView(ctx context.Context, viewer int64, c storage.Circle) error {
	if viewer == c.OwnerID {
		return nil
	}
	member, err := s.Store.IsMember(ctx, c.ID, viewer)
	if err != nil {
		return err
	}
	if !member {
		return qrcircles.Fail(qrcircles.EForbidden, "circles.members_only")
	}
	return nil
}

// MayRead lets the organizer, the members and anyone who asked to join read a circle's details.
func (s *Service) MayRead(ctx context.Context, viewer int64, c storage.Circle) error {
	if err := s.mayView(ctx, viewer, c); err == nil || qrcircles.CodeOf(err) != qrcircles.EForbidden {
		return err
	}
	waiting, err := s.Store.RequestsOfUser(ctx, viewer, storage.RequestWaiting)
	if err != nil {
		return err
	}
	for _, q := range waiting {
		if q.CircleID == c.ID {
			return nil
		}
	}
	return qrcircles.Fail(qrcircles.ENotFound, "circles.not_found")
}

// RequestOf returns the person's own request to join the circle.
func (s *Service) RequestOf(ctx context.Context, userID, circleID int64) (storage.JoinRequest, error) {
	q, err := s.Store.RequestOf(ctx, circleID, userID)
	return q, notFound(err, "circles.not_asked")
}

// Leave ends the viewer's own membership.
func (s *Service) Leave(ctx context.Context, userID, circleID int64) error {
	err := s.endMembership(ctx, circleID, userID, storage.RequestLeft)
	s.notify(err)
	return notFound(err, "circles.not_member")
}

// Remove lets the organizer remove a member.
func (s *Service) Remove(ctx context.Context, actor, circleID, userID int64) error {
	if _, err := s.owned(ctx, actor, circleID); err != nil {
		return err
	}
	err := s.endMembership(ctx, circleID, userID, storage.RequestRemoved)
	s.notify(err)
	s.audit(ctx, err, qrcircles.AuditMemberRemove, actor, fmt.Sprintf("circle:%d/user:%d", circleID, userID), nil)
	return notFound(err, "circles.not_their_member")
}

// Mine is a person's circles.
type Mine struct {
	Owned   []storage.Circle
	Joined  []storage.Circle
	Waiting []storage.JoinRequest
}

// MyCircles lists what a person organizes, has joined and waits for.
func (s *Service) MyCircles(ctx context.Context, userID int64) (Mine, error) {
	var m Mine
	var err error
	if m.Owned, err = s.Store.CirclesOwnedBy(ctx, userID); err != nil {
		return m, err
	}
	if m.Joined, err = s.Store.CirclesJoinedBy(ctx, userID); err != nil {
		return m, err
	}
	m.Waiting, err = s.Store.RequestsOfUser(ctx, userID, storage.RequestWaiting)
	return m, err
}

// AddExclusion records "never in the same circle as the holder of this phone". It is
// accepted the same way whether or not the two share a circle now, so that it tells nobody
// whose phone is in their circles; it holds from the next join on, and leaving the shared
// circle parts them now.
func (s *Service) AddExclusion(ctx context.Context, u storage.User, rawPhone string) (storage.Exclusion, error) {
	if err := qrcircles.TextExclusionPhone.Check(rawPhone); err != nil {
		return storage.Exclusion{}, err
	}
	other, err := s.normalizePhone(rawPhone)
	if err != nil {
		return storage.Exclusion{}, err
	}
	if other == u.Phone {
		return storage.Exclusion{}, qrcircles.Fail(qrcircles.EInvalid, "circles.own_number").WithField("phone")
	}
	var ex storage.Exclusion
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if ex, err = s.Store.CreateExclusion(ctx, u.ID, u.Phone, other, s.now()); err != nil {
			return err
		}
		return s.auditExclusion(ctx, qrcircles.AuditExclusionAdd, u.ID, ex)
	})
	return ex, err
}

// RemoveExclusion deletes one of the person's exclusions.
func (s *Service) RemoveExclusion(ctx context.Context, userID, id int64) error {
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		xs, err := s.Store.Exclusions(ctx, userID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(xs, func(x storage.Exclusion) bool { return x.ID == id })
		if i < 0 {
			return fmt.Errorf("exclusion %d: %w", id, storage.ErrNotFound)
		}
		if err := s.Store.DeleteExclusion(ctx, userID, id); err != nil {
			return err
		}
		return s.auditExclusion(ctx, qrcircles.AuditExclusionRemove, userID, xs[i])
	})
	return notFound(err, "circles.exclusion_not_found")
}

// auditExclusion records an exclusion change in the caller's transaction. The entry names
// user IDs only, never the phone the exclusion holds; the other person's ID is there when
// that phone has an account.
func (s *Service) auditExclusion(ctx context.Context, action string, userID int64, x storage.Exclusion) error {
	detail := map[string]string{"user_id": strconv.FormatInt(userID, 10)}
	switch other, err := s.Store.UserByPhone(ctx, x.OtherPhone); {
	case err == nil:
		detail["other_user_id"] = strconv.FormatInt(other.ID, 10)
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return s.Store.AddAudit(ctx, storage.NewAuditEntry(s.now(), action, userID, fmt.Sprintf("exclusion:%d", x.ID), "", detail))
}

// ParseAllowlistCSV reads phones from CSV text: the first column of every row, skipping a
// header row and blank lines.
func ParseAllowlistCSV(text string) []string {
	var out []string
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		field := strings.TrimSpace(strings.Trim(strings.SplitN(line, ",", 2)[0], `"`))
		if field == "" || (i == 0 && !strings.ContainsAny(field, "0123456789")) {
			continue
		}
		out = append(out, field)
	}
	return out
}
