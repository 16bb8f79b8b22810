package messagesvc

import (
	"context"

	"qrcircles"
)

// Send sends a direct message, if the rules let from reach to.
func (s *Service) Send(ctx context.Context, from, to int64, body string) (qrcircles.Message, error) {
	body, bodyErr := CleanBody(body)
	m := qrcircles.Message{FromID: from, ToID: to, Body: body, CreatedAt: s.now()}
	err := s.inTx(ctx, func(ctx context.Context) error {
		if err := firstErr(s.MayMessage(ctx, from, to), bodyErr); err != nil {
			return err
		}
		if err := s.Store.SendMessage(ctx, &m); err != nil {
			return err
		}
		return qrcircles.Tell(ctx, s.Events)(messageCreated(m))
	})
	return m, err
}

// MayMessage is nil when from may message to now, else the refusal Send would give: the
// pages say it before anyone writes.
func (s *Service) MayMessage(ctx context.Context, from, to int64) error {
	r, err := s.Reach(ctx, from, to)
	if err != nil {
		return err
	}
	return MayMessage(r)
}

// Reach gathers what MayMessage needs to know about sender and recipient.
func (s *Service) Reach(ctx context.Context, from, to int64) (Reach, error) {
	if from == to {
		return Reach{Self: true}, nil
	}
	if _, err := s.person(ctx, to); err != nil {
		return Reach{}, err
	}
	var r Reach
	var err error
	if r.SharesCircle, err = s.Store.SharesCircle(ctx, from, to); err != nil {
		return r, err
	}
	if r.SenderHolds, err = s.Store.HoldsContact(ctx, from, to); err != nil {
		return r, err
	}
	if r.RecipientHolds, err = s.Store.HoldsContact(ctx, to, from); err != nil {
		return r, err
	}
	p, err := s.Store.PrivacyOf(ctx, to)
	r.RecipientBlocks = p.BlockStrangerMessages
	return r, err
}

// Conversation is a page of the messages between self and other, newest first; reading it
// marks what other sent as read.
func (s *Service) Conversation(ctx context.Context, self, other int64, p Page) ([]qrcircles.Message, error) {
	if _, err := s.person(ctx, other); err != nil {
		return nil, err
	}
	ms, err := s.Store.Messages(ctx, self, other, p.BeforeID, p.Limit)
	if err != nil {
		return nil, err
	}
	return ms, s.markRead(ctx, self, other, ms)
}

// markRead marks the unread messages of ms sent to self as read, in ms too.
func (s *Service) markRead(ctx context.Context, self, other int64, ms []qrcircles.Message) error {
	var through int64
	now := s.now()
	for i := range ms {
		if ms[i].ToID == self && ms[i].ReadAt == nil {
			through = max(through, ms[i].ID)
			ms[i].ReadAt = &now
		}
	}
	if through == 0 {
		return nil
	}
	return s.Store.MarkRead(ctx, self, other, through, now)
}

// Conversations is a page of the people the user exchanged messages with, the most recent
// conversation first.
func (s *Service) Conversations(ctx context.Context, userID int64, p Page) ([]qrcircles.Conversation, error) {
	return s.Store.Conversations(ctx, userID, p.BeforeID, p.Limit)
}

// Unread is how many messages to userID are unread: the navigation's badge.
func (s *Service) Unread(ctx context.Context, userID int64) (int, error) {
	return s.Store.UnreadCount(ctx, userID)
}

// People are the users of ids, by ID, for the pages that name the people of conversations.
// A person who deleted their account is there, nameless, with DeletedAt set.
func (s *Service) People(ctx context.Context, ids []int64) (map[int64]qrcircles.User, error) {
	us, err := s.Store.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]qrcircles.User, len(us))
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

// person reads whom a message is to or from.
func (s *Service) person(ctx context.Context, id int64) (qrcircles.User, error) {
	u, err := s.Store.User(ctx, id)
	return u, qrcircles.Explain(err, qrcircles.ENotFound, "messages.no_person")
}
