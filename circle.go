package qrcircles

import "time"

// Circle is an event's contact network with its admission rules. As stored circles are
// read, Rules.Allowlist is not loaded (it may hold thousands of phones); AllowlistSize says
// how many there are.
type Circle struct {
	ID            int64
	Code          string
	OwnerID       int64
	Title         string
	Description   string
	Location      string
	StartsAt      time.Time
	EndsAt        time.Time
	TimeZone      string
	Rules         Rules
	AllowlistSize int
	// RulesVersion changes with every rules update: a join decided on the circle as the
	// caller read it is written only while it is the same.
	RulesVersion int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Join request states.
const (
	RequestWaiting  = "waiting"
	RequestAdmitted = "admitted"
	RequestDenied   = "denied"
	RequestRefused  = "refused"
	RequestLeft     = "left"
	RequestRemoved  = "removed"
)

// JoinRequest is one person's request to join a circle and what became of it.
type JoinRequest struct {
	ID        int64
	CircleID  int64
	UserID    int64
	Phone     string
	ScanTime  time.Time
	Status    string
	Reasons   []Reason
	DecidedBy int64 // 0: decided by the rules
	DecidedAt time.Time
	CreatedAt time.Time
}

// JoinOutcome is the request after the decision, and whether the person is a member.
type JoinOutcome struct {
	Request JoinRequest
	Member  bool
}

// Member is a member of a circle as the circle's pages list them.
type Member struct {
	UserID      int64
	DisplayName string
	JoinedAt    time.Time
}
