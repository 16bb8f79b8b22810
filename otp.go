package qrcircles

import (
	"errors"
	"time"
)

// OTPChallenge is one SMS code sent to one phone. When the server made the code, only its
// keyed hash is kept (CodeHash); when the provider made it, ProviderRef names the provider's
// verification instead. The rules of its life (expiry, wrong tries, single use) are the OTP
// rule package's; storage keeps it.
type OTPChallenge struct {
	ID          string
	Phone       string // E.164
	Provider    string
	CodeHash    []byte
	ProviderRef string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	WrongTries  int
	UsedAt      time.Time // zero until the right code is given
}

// RateWindow is the state of a fixed-window counter: the window was opened by the hit at
// Start and has counted Count hits, that one included.
type RateWindow struct {
	Start time.Time
	Count int
}

// Why an OTP challenge no longer accepts a code. Storage reports a challenge unknown or used
// (a row missing, a second use lost the race); the OTP rules decide all four.
var (
	ErrOTPUnknown = errors.New("otp: no such challenge")
	ErrOTPExpired = errors.New("otp: code expired")
	ErrOTPUsed    = errors.New("otp: code already used")
	ErrOTPDead    = errors.New("otp: too many wrong tries")
)
