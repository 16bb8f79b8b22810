package qrcircles

import "time"

// User is a person, identified by a verified phone number.
type User struct {
	ID          int64
	Phone       string
	DisplayName string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   *time.Time // set when the person deleted their account
}

// Deleted reports whether the person deleted their account: the user row stays, with its ID
// only, so that messages they sent and the audit log can still name it.
func (u User) Deleted() bool { return u.DeletedAt != nil }

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

// UserPrivacy is what a user accepts from strangers (people with no shared circle or contact).
type UserPrivacy struct {
	UserID                int64
	RefuseStrangerCards   bool
	BlockStrangerMessages bool
	UpdatedAt             time.Time
}

// Exclusion is one person's "never in the same circle as the holder of this phone".
type Exclusion struct {
	ID         int64
	UserID     int64
	OtherPhone string
	CreatedAt  time.Time
}
