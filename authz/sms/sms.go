// Package sms delivers login codes: through Twilio Verify (Twilio makes and checks the code),
// Twilio Messaging (the server makes the code and Twilio carries the text), or the console
// (the code is logged; for development).
package sms

import (
	"context"
	"errors"
	"time"

	"qrcircles"
)

// Provider names, stored with each challenge. They match the values of QRC_SMS_PROVIDER.
const (
	ProviderConsole         = "console"
	ProviderTwilioMessaging = "twilio-messaging"
	ProviderTwilioVerify    = "twilio-verify"
)

// What went wrong with a provider. The errors returned by senders wrap one of these and the
// provider's own error.
var (
	ErrInvalidPhone    = errors.New("sms: the provider refused the phone number")
	ErrTooManyAttempts = errors.New("sms: too many codes or checks for this phone")
	ErrRateLimited     = errors.New("sms: the provider is rate limiting us")
	ErrUnavailable     = errors.New("sms: the provider cannot be reached or failed")
	ErrWrongCode       = errors.New("sms: wrong code")
	ErrCodeExpired     = errors.New("sms: the provider no longer knows this code")
)

// Message is one code to deliver.
type Message struct {
	To     string        // E.164
	Code   string        // made by the server; empty for a Verifier, which makes its own
	Locale string        // the page's language ("en", "zh-Hans", …): the text's, or the provider's own text's
	TTL    time.Duration // how long the code is valid, told to the reader
}

// Sender delivers codes. A Sender that is also a Verifier makes and checks the codes itself:
// the caller sends an empty Code and asks the Verifier to check what the user types. Any other
// Sender only carries a code the server made, and the server keeps the code's keyed hash.
type Sender interface {
	Provider() string
	// Send delivers m and returns the provider's reference to it (a message or verification ID).
	Send(ctx context.Context, m Message) (ref string, err error)
}

// Verifier is a Sender whose provider checks the codes.
type Verifier interface {
	Sender
	// Check returns nil when code is right for the verification ref sent to phone,
	// ErrWrongCode when it is wrong, ErrCodeExpired when the provider no longer knows it.
	Check(ctx context.Context, ref, phone, code string) error
}

// Body is the text of m: its code and for how many minutes it holds, in the language of
// m.Locale, which is that of the page the sign-in came from (English unless Chinese).
func (m Message) Body() string {
	lang := qrcircles.LangEnglish
	if verifyLocale(m.Locale) == "zh" {
		lang = qrcircles.LangChinese
	}
	mins := int((m.TTL + time.Minute - 1) / time.Minute)
	return qrcircles.Say("sms.code", m.Code, mins).In(lang)
}
