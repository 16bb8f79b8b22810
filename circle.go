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
