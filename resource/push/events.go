// Package push is the live event stream: a hub per instance that reads the event log after
// every commit and fans new events out to the Server-Sent Events streams connected to it.
// The event kinds and the event itself are the domain's (qrcircles.Event); services write
// them with the changes they report.
package push

import "qrcircles"

// joinsAudience says whether the event puts its subject in the circle's audience (from
// then on) and leavesAudience whether it takes them out (after this event).
func joinsAudience(e *qrcircles.Event) bool {
	return e.CircleID != 0 && e.SubjectID != 0 && (e.Type == qrcircles.EventMemberJoined || e.Type == qrcircles.EventCircleCreated)
}

func leavesAudience(e *qrcircles.Event) bool {
	return e.CircleID != 0 && e.SubjectID != 0 && e.Type == qrcircles.EventMemberLeft
}
