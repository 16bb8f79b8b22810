package qrcircles

import "time"

// Announcement is a message from a circle's organizer to everyone in the circle.
type Announcement struct {
	ID        int64
	CircleID  int64
	AuthorID  int64
	Body      string
	CreatedAt time.Time
}

// Message is a direct message from one person to another.
type Message struct {
	ID        int64
	FromID    int64
	ToID      int64
	Body      string
	CreatedAt time.Time
	ReadAt    *time.Time // nil: the recipient has not read it
}

// Conversation is the latest message between a user and one counterpart, and how many of
// the counterpart's messages the user has not read.
type Conversation struct {
	With   int64
	Last   Message
	Unread int
}

// CircleMute is a circle a user muted: nothing of it is pushed to them, but they can still
// read it.
type CircleMute struct {
	UserID    int64
	CircleID  int64
	CreatedAt time.Time
}
