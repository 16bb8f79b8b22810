package cardsvc

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"qrcircles"
)

// Visibility is what the user shows: the default and each circle's choice, and the circles
// they are a member of.
func (s *Service) Visibility(ctx context.Context, userID int64) (qrcircles.CardSettings, []int64, error) {
	settings, err := s.Store.CardSettings(ctx, userID)
	if err != nil {
		return settings, nil, err
	}
	ids, err := s.Store.MemberCircleIDs(ctx, userID)
	return settings, ids, err
}

// Settings is what the user chose to show.
func (s *Service) Settings(ctx context.Context, userID int64) (qrcircles.CardSettings, error) {
	return s.Store.CardSettings(ctx, userID)
}

// circleChange is a new choice for one circle; fields nil makes it follow the default again.
type circleChange struct {
	id     int64
	fields *qrcircles.FieldSet
}

// ChangeVisibility changes, as the API names them, the default for circles joined later
// (nil: unchanged) and what each circle (keyed by its ID) shows; a circle given nil follows
// the default again. Bad names and circles the user is not in are EInvalid errors naming
// the field ("default", "circles.7").
func (s *Service) ChangeVisibility(ctx context.Context, userID int64, def *[]string, circles map[string]*[]string) error {
	var defSet *qrcircles.FieldSet
	if def != nil {
		fs, err := qrcircles.ParseFields(*def, "default")
		if err != nil {
			return err
		}
		defSet = &fs
	}
	keys := make([]string, 0, len(circles))
	for k := range circles {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var changes []circleChange
	for _, k := range keys {
		ch, err := s.parseCircleChange(ctx, userID, k, circles[k])
		if err != nil {
			return err
		}
		changes = append(changes, ch)
	}
	return s.inTx(ctx, func(ctx context.Context) error { return s.applyVisibility(ctx, userID, defSet, changes) })
}

// SetDefaultVisibility changes what circles joined later show.
func (s *Service) SetDefaultVisibility(ctx context.Context, userID int64, fs qrcircles.FieldSet) error {
	return s.inTx(ctx, func(ctx context.Context) error { return s.applyVisibility(ctx, userID, &fs, nil) })
}

// SetCircleVisibility changes what one circle the user is a member of shows; nil makes the
// circle follow the default again.
func (s *Service) SetCircleVisibility(ctx context.Context, userID, circleID int64, fs *qrcircles.FieldSet) error {
	ch, err := s.circleChangeOf(ctx, userID, circleID, fs)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context) error { return s.applyVisibility(ctx, userID, nil, []circleChange{ch}) })
}

// circleChangeOf checks a new choice for one circle the user must be a member of.
func (s *Service) circleChangeOf(ctx context.Context, userID, circleID int64, fs *qrcircles.FieldSet) (circleChange, error) {
	var names *[]string
	if fs != nil {
		n := fs.Names()
		names = &n
	}
	return s.parseCircleChange(ctx, userID, strconv.FormatInt(circleID, 10), names)
}

func (s *Service) parseCircleChange(ctx context.Context, userID int64, key string, names *[]string) (circleChange, error) {
	field := "circles." + key
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil || id <= 0 {
		return circleChange{}, qrcircles.Fail(qrcircles.EInvalid, "cards.circles_by_number").WithField(field)
	}
	member, err := s.Store.IsMember(ctx, id, userID)
	if err != nil {
		return circleChange{}, err
	}
	if !member {
		return circleChange{}, qrcircles.Fail(qrcircles.EInvalid, "cards.not_in_circle", id).WithField(field)
	}
	if names == nil {
		return circleChange{id: id}, nil
	}
	fs, err := qrcircles.ParseFields(*names, field)
	return circleChange{id: id, fields: &fs}, err
}

func (s *Service) applyVisibility(ctx context.Context, userID int64, def *qrcircles.FieldSet, changes []circleChange) error {
	if def != nil {
		if err := s.Store.SetCardDefault(ctx, userID, *def, s.now()); err != nil {
			return err
		}
	}
	var evs []qrcircles.Event
	for _, ch := range changes {
		var err error
		if ch.fields == nil {
			err = s.Store.ResetCircleVisibility(ctx, userID, ch.id)
		} else {
			err = s.Store.SetCircleVisibility(ctx, userID, ch.id, *ch.fields, s.now())
		}
		if err != nil {
			return fmt.Errorf("circle %d: %w", ch.id, err)
		}
		ev, err := qrcircles.ToCircle(ch.id, userID, qrcircles.EventCardUpdated, map[string]any{"user_id": userID, "circle_id": ch.id})
		if err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	return s.events().AppendEvents(ctx, evs...)
}
