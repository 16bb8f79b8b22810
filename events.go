package qrcircles

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Event kinds: what the event log records and the live stream pushes. They are stored and
// sent to clients: never rename one.
const (
	EventCardUpdated         = "card.updated"         // a card, or what its owner shows, changed
	EventMemberJoined        = "member.joined"        // to the circle; subject: the new member
	EventMemberLeft          = "member.left"          // to the circle and to the one who left
	EventRequestCreated      = "request.created"      // to the organizer: a request waits for review
	EventRequestDecided      = "request.decided"      // to the applicant: admitted, waiting or denied
	EventCardDelivered       = "card.delivered"       // a card arrived as a contact
	EventCardRequested       = "card.requested"       // a delivery or a request waits for an answer
	EventCardRequestDecided  = "card.request.decided" // the answer came
	EventMessageCreated      = "message.created"
	EventAnnouncementCreated = "announcement.created"
	EventCircleUpdated       = "circle.updated"
	EventCircleCreated       = "circle.created" // to the new circle; subject: its organizer
)

// Event is one entry of the event log: a change one user, or everyone in one circle, is told
// about. Exactly one of RecipientID and CircleID is set. Services choose the events of a
// change and write them in its transaction; the push hub delivers them.
type Event struct {
	ID          int64
	RecipientID int64 // one user
	CircleID    int64 // every member and the organizer of the circle when it is delivered
	SubjectID   int64 // the user the event is about (whose card, who joined), 0 if none
	Type        string
	Payload     []byte // JSON; shared by every recipient, never modified
	CreatedAt   time.Time
}

// EventLog is the durable event log the services write and the push hub reads.
type EventLog interface {
	// AppendEvents records events in the transaction ctx carries (storage.DB.InTx puts it
	// there), so that they commit or roll back with the change they report.
	AppendEvents(ctx context.Context, evs ...Event) error
	// Notify wakes the push hub; it is called after the transaction committed.
	Notify()
}

// ToCircle is an event for every member and the organizer of a circle, about subject (0: none).
func ToCircle(circleID, subjectID int64, typ string, payload any) (Event, error) {
	return newEvent(Event{CircleID: circleID, SubjectID: subjectID, Type: typ}, payload)
}

// ToUser is an event for one user, about subject (0: none).
func ToUser(recipientID, subjectID int64, typ string, payload any) (Event, error) {
	return newEvent(Event{RecipientID: recipientID, SubjectID: subjectID, Type: typ}, payload)
}

// ToUsers is the same event for each of the recipients, one entry each, sharing one payload.
func ToUsers(recipientIDs []int64, subjectID int64, typ string, payload any) ([]Event, error) {
	e, err := newEvent(Event{SubjectID: subjectID, Type: typ}, payload)
	if err != nil {
		return nil, err
	}
	out := make([]Event, len(recipientIDs))
	for i, id := range recipientIDs {
		e.RecipientID = id
		out[i] = e
	}
	return out, nil
}

func newEvent(e Event, payload any) (Event, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return e, fmt.Errorf("event %s payload: %w", e.Type, err)
	}
	e.Payload = b
	return e, nil
}

// EventAppender records events in the transaction ctx carries (EventLog.AppendEvents, or a
// store's).
type EventAppender interface {
	AppendEvents(ctx context.Context, evs ...Event) error
}

// Tell returns a function that records one event built by ToCircle or ToUser in log, in the
// transaction ctx carries, or passes on the error that building it gave. A nil log records
// nothing.
func Tell(ctx context.Context, log EventAppender) func(Event, error) error {
	return func(ev Event, err error) error {
		if err != nil || log == nil {
			return err
		}
		return log.AppendEvents(ctx, ev)
	}
}
