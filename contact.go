package qrcircles

import "time"

// Avatar is a stored card picture.
type Avatar struct {
	UserID      int64
	ContentType string
	Data        []byte
	UpdatedAt   time.Time
}

// ContactCard is a contact with their card as it is now.
type ContactCard struct {
	UserID  int64
	Card    Card
	AddedAt time.Time
}

// CircleCard is one member's card and what they show in the circle.
type CircleCard struct {
	UserID   int64
	Card     Card
	Settings CardSettings // the default and this circle's choice
}

// Card request kinds and states.
const (
	CardDeliver  = "deliver" // the sender gives their card; the receiver consents
	CardAsk      = "request" // the sender asks for the receiver's card
	CardWaiting  = "waiting"
	CardAccepted = "accepted"
	CardDeclined = "declined"
)

// CardRequest is a card delivery or request waiting for, or given, an answer.
type CardRequest struct {
	ID        int64
	FromID    int64
	ToID      int64
	Kind      string
	Status    string
	CreatedAt time.Time
	DecidedAt *time.Time
}
