package qrcircles

import "time"

// Passkey is one WebAuthn credential of a user: the credential as the WebAuthn library keeps
// it (JSON), found by its ID when someone signs in with it.
type Passkey struct {
	ID           int64
	UserID       int64
	CredentialID string // base64url, as the browser names it
	Credential   string // JSON
	Name         string
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

// PasskeyCeremony is a registration or sign-in begun in a browser and not yet finished: the
// challenge stays on the server, the browser holds only a random ID for it.
type PasskeyCeremony struct {
	IDHash    string
	UserID    int64  // 0 for a sign-in, where nobody is known yet
	Data      string // the WebAuthn library's session data, JSON
	ExpiresAt time.Time
}
