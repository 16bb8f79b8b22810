package circles

import (
	"context"
	"errors"
	"time"

	"qrcircles"
	"qrcircles/resource/admission"
	"qrcircles/storage"
)

// Input is what an organizer sets on a circle. On an update, nil fields stay as they are.
type Input struct {
	Title       *string
	Description *string
	Location    *string
	StartsAt    *time.Time
	EndsAt      *time.Time
	TimeZone    *string
	NotBefore   *time.Time // a zero time clears the bound
	NotAfter    *time.Time
	Prefixes    *[]string
	PhoneRanges *[]qrcircles.PhoneRange
	IDRanges    *[]qrcircles.IDRange
	Allowlist   *[]string // phones in any format the default region understands
	Cap         *int
	Mode        *qrcircles.Mode
	Closed      *bool
	OnSite      *qrcircles.OnSite
}

// Create makes a circle owned by the organizer.
func (s *Service) Create(ctx context.Context, owner int64, in Input) (storage.Circle, error) {
	now := s.now()
	c := storage.Circle{OwnerID: owner, TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	c.Rules.Mode = qrcircles.ModeRules
	allow, err := s.apply(&c, in)
	if err != nil {
		return c, err
	}
	if c.Title == "" {
		return c, qrcircles.Fail(qrcircles.EInvalid, "circles.title_needed").WithField("title")
	}
	if c.Code, err = s.newCode(); err != nil {
		return c, err
	}
	if allow == nil {
		allow = []string{}
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateCircle(ctx, &c, allow); err != nil {
			return err
		}
		return qrcircles.Tell(ctx, s.Store)(qrcircles.ToCircle(c.ID, c.OwnerID, qrcircles.EventCircleCreated, map[string]any{"circle_id": c.ID}))
	})
	s.notify(err)
	return c, err
}

// Update changes a circle. Waiting requests that pass the new rules are admitted in the same
// transaction; admitted says how many.
func (s *Service) Update(ctx context.Context, actor, id int64, in Input) (c storage.Circle, admitted int, err error) {
	if c, err = s.owned(ctx, actor, id); err != nil {
		return c, 0, err
	}
	allow, err := s.apply(&c, in)
	if err != nil {
		return c, 0, err
	}
	c.UpdatedAt = s.now()
	err = s.Store.UpdateCircle(ctx, &c, allow, func(ctx context.Context) error {
		if !c.Rules.Closed {
			if admitted, err = s.redecideWaiting(ctx, c.ID); err != nil {
				return err
			}
		}
		return qrcircles.Tell(ctx, s.Store)(qrcircles.ToCircle(c.ID, 0, qrcircles.EventCircleUpdated, map[string]any{"circle_id": c.ID}))
	})
	s.notify(err)
	return c, admitted, err
}

// apply validates in and copies it onto c; it returns the normalized allowlist when in sets one.
func (s *Service) apply(c *storage.Circle, in Input) ([]string, error) {
	if err := applyText(c, in); err != nil {
		return nil, err
	}
	if err := applyTimes(c, in); err != nil {
		return nil, err
	}
	r := &c.Rules
	setIf(&r.PhonePrefixes, in.Prefixes)
	setIf(&r.PhoneRanges, in.PhoneRanges)
	setIf(&r.UserIDRanges, in.IDRanges)
	setIf(&r.Cap, in.Cap)
	setIf(&r.Mode, in.Mode)
	setIf(&r.Closed, in.Closed)
	setIf(&r.OnSite, in.OnSite)
	if err := admission.Validate(*r); err != nil {
		var fe *admission.FieldError
		if errors.As(err, &fe) {
			return nil, qrcircles.Fail(qrcircles.EInvalid, fe.Problem.Key, fe.Problem.Args...).WithField(fe.Field)
		}
		return nil, err
	}
	if in.Allowlist == nil {
		return nil, nil
	}
	return s.normalizeAll(*in.Allowlist)
}

func applyText(c *storage.Circle, in Input) error {
	for _, f := range []struct {
		field qrcircles.TextField
		src   *string
		dst   *string
	}{{qrcircles.TextCircleTitle, in.Title, &c.Title}, {qrcircles.TextCircleDescription, in.Description, &c.Description},
		{qrcircles.TextCircleLocation, in.Location, &c.Location}} {
		if f.src == nil {
			continue
		}
		v, err := f.field.Clean(*f.src)
		if err != nil {
			return err
		}
		*f.dst = v
	}
	if in.Title != nil && c.Title == "" {
		return qrcircles.Fail(qrcircles.EInvalid, "circles.title_needed").WithField("title")
	}
	return nil
}

func applyTimes(c *storage.Circle, in Input) error {
	if in.TimeZone != nil {
		if _, err := time.LoadLocation(*in.TimeZone); err != nil || *in.TimeZone == "" {
			return qrcircles.Fail(qrcircles.EInvalid, "circles.time_zone_unknown", *in.TimeZone).WithField("time_zone")
		}
		c.TimeZone = *in.TimeZone
	}
	setIf(&c.StartsAt, in.StartsAt)
	setIf(&c.EndsAt, in.EndsAt)
	setIf(&c.Rules.NotBefore, in.NotBefore)
	setIf(&c.Rules.NotAfter, in.NotAfter)
	if !c.StartsAt.IsZero() && !c.EndsAt.IsZero() && c.EndsAt.Before(c.StartsAt) {
		return qrcircles.Fail(qrcircles.EInvalid, "circles.ends_before_starts").WithField("ends_at")
	}
	return nil
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// normalizeAll turns an allowlist into unique E.164 numbers; the first bad one is named.
func (s *Service) normalizeAll(raw []string) ([]string, error) {
	if len(raw) > admission.MaxAllowlist {
		return nil, qrcircles.Fail(qrcircles.EInvalid, "circles.allowlist_too_long", admission.MaxAllowlist).WithField("allowlist")
	}
	seen := make(map[string]bool, len(raw))
	out := make([]string, 0, len(raw))
	for i, p := range raw {
		if err := qrcircles.TextAllowlistEntry.CheckAt(i, p); err != nil {
			return nil, err
		}
		e164, err := s.normalizePhone(p)
		if err != nil {
			return nil, qrcircles.Fail(qrcircles.EInvalid, "circles.allowlist_entry", i+1, p).WithField("allowlist")
		}
		if !seen[e164] {
			seen[e164] = true
			out = append(out, e164)
		}
	}
	return out, nil
}
