// Package messagesvc is what people do with messages, between the handlers (the message API
// and the pages) and storage: announcements to a circle, direct messages, and muting a
// circle. It applies the rules of rules.go, owns the transactions and writes the events of
// each message with it.
package messagesvc

import (
	"context"
	"time"

	"qrcircles"
	"qrcircles/storage"
)

// Store is what the service needs of the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	User(ctx context.Context, id int64) (qrcircles.User, error)
	Circle(ctx context.Context, id int64) (qrcircles.Circle, error)
	IsMember(ctx context.Context, circleID, userID int64) (bool, error)
	SharesCircle(ctx context.Context, a, b int64) (bool, error)
	HoldsContact(ctx context.Context, ownerID, contactID int64) (bool, error)
	PrivacyOf(ctx context.Context, userID int64) (qrcircles.UserPrivacy, error)
	PostAnnouncement(ctx context.Context, a *qrcircles.Announcement) error
	Announcements(ctx context.Context, circleID, beforeID int64, limit int) ([]qrcircles.Announcement, error)
	SendMessage(ctx context.Context, m *qrcircles.Message) error
	Messages(ctx context.Context, a, b, beforeID int64, limit int) ([]qrcircles.Message, error)
	MarkRead(ctx context.Context, toID, fromID, throughID int64, now time.Time) error
	Conversations(ctx context.Context, userID, beforeID int64, limit int) ([]qrcircles.Conversation, error)
	UnreadCount(ctx context.Context, userID int64) (int, error)
	Users(ctx context.Context, ids []int64) ([]qrcircles.User, error)
	Mute(ctx context.Context, userID, circleID int64, now time.Time) error
	Unmute(ctx context.Context, userID, circleID int64) error
	Mutes(ctx context.Context, userID int64) ([]qrcircles.CircleMute, error)
}

var _ Store = (*storage.DB)(nil)

// Service carries out message actions.
type Service struct {
	Store  Store
	Events qrcircles.EventLog // nil: no events
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// inTx runs fn in a transaction and wakes the push layer once it committed.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := s.Store.InTx(ctx, fn); err != nil {
		return err
	}
	if s.Events != nil {
		s.Events.Notify()
	}
	return nil
}

// Announce posts body to everyone in the circle; only its organizer may.
func (s *Service) Announce(ctx context.Context, authorID, circleID int64, body string) (qrcircles.Announcement, error) {
	body, bodyErr := CleanBody(body)
	a := qrcircles.Announcement{CircleID: circleID, AuthorID: authorID, Body: body, CreatedAt: s.now()}
	err := s.inTx(ctx, func(ctx context.Context) error {
		circle, err := s.circle(ctx, circleID)
		if err != nil {
			return err
		}
		if err := firstErr(MayAnnounce(circle.OwnerID, authorID), bodyErr); err != nil {
			return err
		}
		if err := s.Store.PostAnnouncement(ctx, &a); err != nil {
			return err
		}
		return qrcircles.Tell(ctx, s.Events)(announcementCreated(a))
	})
	return a, err
}

// Announcements is a page of the circle's announcements, newest first, for its members and
// its organizer.
func (s *Service) Announcements(ctx context.Context, viewer, circleID int64, p Page) ([]qrcircles.Announcement, error) {
	organizes, member, err := s.standing(ctx, circleID, viewer)
	if err == nil {
		err = MayReadCircle(organizes, member)
	}
	if err != nil {
		return nil, err
	}
	return s.Store.Announcements(ctx, circleID, p.BeforeID, p.Limit)
}

// standing is how userID stands to the circle: its organizer, a member, or neither.
func (s *Service) standing(ctx context.Context, circleID, userID int64) (organizes, member bool, err error) {
	c, err := s.circle(ctx, circleID)
	if err != nil {
		return false, false, err
	}
	member, err = s.Store.IsMember(ctx, circleID, userID)
	return c.OwnerID == userID, member, err
}

// circle reads the circle a message action is about.
func (s *Service) circle(ctx context.Context, id int64) (qrcircles.Circle, error) {
	c, err := s.Store.Circle(ctx, id)
	return c, qrcircles.Explain(err, qrcircles.ENotFound, "circles.not_found")
}

// Mute silences the circle's pushes for a member or its organizer; they can still read it.
func (s *Service) Mute(ctx context.Context, userID, circleID int64) error {
	organizes, member, err := s.standing(ctx, circleID, userID)
	if err == nil {
		err = MayMute(organizes, member)
	}
	if err != nil {
		return err
	}
	return s.Store.Mute(ctx, userID, circleID, s.now())
}

// Unmute lets the circle's pushes through again.
func (s *Service) Unmute(ctx context.Context, userID, circleID int64) error {
	if _, err := s.circle(ctx, circleID); err != nil {
		return err
	}
	return s.Store.Unmute(ctx, userID, circleID)
}

// Mutes are the circles the user muted.
func (s *Service) Mutes(ctx context.Context, userID int64) ([]qrcircles.CircleMute, error) {
	return s.Store.Mutes(ctx, userID)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
