package qrcircles

import "time"

// User is a person, identified by a verified phone number.
type User struct {
	ID          int64
	Phone       string
	DisplayName string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// LoginSession is a browser's signed-in state; only a hash of the cookie value is kept.
type LoginSession struct {
	IDHash    string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Consent remembers the scopes a user granted a client.
type Consent struct {
	UserID    int64
	ClientID  string
	Scopes    string // space-separated
	GrantedAt time.Time
}
