package qrcircles

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
