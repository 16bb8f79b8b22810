package qrcircles

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Each maps to one HTTP status in HTTPStatus.
const (
	EInvalid      = "invalid"
	ENotFound     = "not-found"
	EConflict     = "conflict"
	EUnauthorized = "unauthorized"
	EForbidden    = "forbidden"
	EGone         = "gone"
	ETooMany      = "too-many-requests"
	ETooLarge     = "too-large"              // the request body is larger than the resource takes
	EUnsupported  = "unsupported-media-type" // the request body is of a type the resource does not take
	EUnavailable  = "unavailable"
	EInternal     = "internal"

	// EInsufficientScope: the access token does not allow this (RFC 6750 §3.1), as opposed
	// to a person who may not do it; a token with more scopes may.
	EInsufficientScope = "insufficient-scope"
)

// Error is an application error: a code, a sentence safe to show to the caller (Words, kept by
// key so that a page shows it in its reader's language; Message is its English, for the API and
// the logs), and optionally the input field at fault and when to retry.
type Error struct {
	Code       string
	Message    string
	Words      Words
	Field      string
	RetryAfter time.Duration
	Err        error // the cause, logged but never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Fail returns an Error with the code and the sentence of key, formatted with args.
func Fail(code, key string, args ...any) *Error {
	w := Say(key, args...)
	return &Error{Code: code, Words: w, Message: w.English()}
}

// WithField names the input field at fault, and returns e.
func (e *Error) WithField(field string) *Error {
	e.Field = field
	return e
}

// WithCause is a copy of e with err as its cause: a shared error keeps its words and its own
// cause stays untouched.
func (e *Error) WithCause(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// In is the error's sentence in lang: its Words, or its Message where it has none.
func (e *Error) In(lang string) string {
	if !e.Words.Zero() {
		return e.Words.In(lang)
	}
	return e.Message
}

// Errorf returns an Error with the code and a formatted message, which has no words for a
// page in another language.
//
// Deprecated: say the sentence by key with Fail; no code outside tests calls this any more.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error naming the field at fault, with a message that has no
// words for a page in another language.
//
// Deprecated: say it by key with Fail(EInvalid, key, …).WithField(field).
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first Error in err's chain, or EInternal; an outage in the
// chain (see Unavailable) makes it EUnavailable whatever else the chain says.
func CodeOf(err error) string {
	if Unavailable(err) {
		return EUnavailable
	}
	if e, ok := ErrorOf(err); ok {
		return e.Code
	}
	return EInternal
}

// IgnoreNotFound is err unless it says that something was not found: for a lookup whose
// absence is an answer, while any other failure (an outage, a broken query) still counts.
func IgnoreNotFound(err error) error {
	if CodeOf(err) == ENotFound {
		return nil
	}
	return err
}

// RetryUnavailable is the Retry-After of an answer given during an outage: about as long as
// a database takes to restart.
const RetryUnavailable = 5 * time.Second

// UnavailableMessage is what a caller of the API is told during an outage; pages say
// Say("error.unavailable") in their reader's language.
var UnavailableMessage = Say("error.unavailable").English()

// Unavailable reports whether err's chain holds an outage of something the server depends
// on, as opposed to a fault of the request: an error whose Unavailable method says so
// (storage.ErrUnavailable, ErrVerifierUnavailable). Such an error is answered 503, even when
// an outer Error gives another code: a database that is down never makes a token inactive,
// a circle unknown or a form expired.
func Unavailable(err error) bool {
	var u interface{ Unavailable() bool }
	return errors.As(err, &u) && u.Unavailable()
}

// fieldError is an input error from a pure validator that names its field (the text rule's
// TextError): it is an EInvalid Error with its own message.
type fieldError interface {
	error
	InvalidField() string
}

// ErrorOf finds the Error in err's chain, or makes one of a validator's error that names its
// field; false when there is neither (an internal error).
func ErrorOf(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	var fe fieldError
	if errors.As(err, &fe) {
		out := &Error{Code: EInvalid, Field: fe.InvalidField(), Message: fe.Error(), Err: err}
		if w, ok := fe.(interface{ Words() Words }); ok {
			out.Words = w.Words()
		}
		return out, true
	}
	return nil, false
}

// Explain puts the caller's words on an error of the code: storage says only "not found" or
// "already done", and the service that asked knows what was missing or done. An error of
// another code, or an outage, is returned as it is. The answer keeps err as its cause.
func Explain(err error, code, key string, args ...any) error {
	if err == nil || CodeOf(err) != code {
		return err
	}
	e := Fail(code, key, args...)
	e.Err = err
	return e
}
