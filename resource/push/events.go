// Package push is the live event stream: a hub per instance that reads the event log after
// every commit and fans new events out to the Server-Sent Events streams connected to it.
package push

import (
	"qrcircles"
	"qrcircles/storage"
)

// Event types (the storage package owns them: events are written with the changes they report).
const (
	CardUpdated         = qrcircles.EventCardUpdated
	MemberJoined        = qrcircles.EventMemberJoined
	MemberLeft          = qrcircles.EventMemberLeft
	RequestCreated      = qrcircles.EventRequestCreated
	RequestDecided      = qrcircles.EventRequestDecided
	CardDelivered       = qrcircles.EventCardDelivered
	CardRequested       = qrcircles.EventCardRequested
	CardRequestDecided  = qrcircles.EventCardRequestDecided
	MessageCreated      = qrcircles.EventMessageCreated
	AnnouncementCreated = qrcircles.EventAnnouncementCreated
	CircleUpdated       = qrcircles.EventCircleUpdated
	CircleCreated       = qrcircles.EventCircleCreated
)

// ToCircle is an event for every member and the organizer of a circle, about subject (0: none).
func ToCircle(circleID, subjectID int64, typ string, payload any) (storage.Event, error) {
	return storage.ToCircle(circleID, subjectID, typ, payload)
}

// ToUser is an event for one user, about subject (0: none).
func ToUser(recipientID, subjectID int64, typ string, payload any) (storage.Event, error) {
	return storage.ToUser(recipientID, subjectID, typ, payload)
}

// joinsAudience says whether the event puts its subject in the circle's audience (from
// then on) and leavesAudience whether it takes them out (after this event).
func joinsAudience(e *storage.Event) bool {
	return e.CircleID != 0 && e.SubjectID != 0 && (e.Type == MemberJoined || e.Type == CircleCreated)
}

func leavesAudience(e *storage.Event) bool {
	return e.CircleID != 0 && e.SubjectID != 0 && e.Type == MemberLeft
}
