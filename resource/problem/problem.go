// Package problem is the one error type of QR Circles and its one translation into HTTP:
// application/problem+json bodies (RFC 9457) with a stable type per error code.
package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Error codes. Each maps to one HTTP status in Status.
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

// TypeBase prefixes every problem type URI.
const TypeBase = "https://qrcircles.dev/problems/"

// Error is an application error: a code, a message safe to show to the caller, and optionally
// the input field at fault and when to retry.
type Error struct {
	Code       string
	Message    string
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

// Errorf returns an Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error naming the field at fault.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first Error in err's chain, or EInternal; an outage in the
// chain (see Unavailable) makes it EUnavailable whatever else the chain says.
func CodeOf(err error) string {
	if Unavailable(err) {
		return EUnavailable
	}
	if e, ok := As(err); ok {
		return e.Code
	}
	return EInternal
}

// RetryUnavailable is the Retry-After of an answer given during an outage: about as long as
// a database takes to restart.
const RetryUnavailable = 5 * time.Second

// UnavailableMessage is what a caller is told during an outage.
const UnavailableMessage = "The service is briefly unavailable. Please try again in a moment."

// Unavailable reports whether err's chain holds an outage of something the server depends
// on, as opposed to a fault of the request: an error whose Unavailable method says so
// (storage.ErrUnavailable, tokens.ErrUnavailable). Such an error is answered 503, even when
// an outer Error gives another code: a database that is down never makes a token inactive,
// a circle unknown or a form expired.
func Unavailable(err error) bool {
	var u interface{ Unavailable() bool }
	return errors.As(err, &u) && u.Unavailable()
}

// errorOf returns the Error that err is answered with.
func errorOf(err error) *Error {
	e, found := As(err)
	if Unavailable(err) {
		if !found || e.Code != EUnavailable {
			return &Error{Code: EUnavailable, Message: UnavailableMessage, RetryAfter: RetryUnavailable}
		}
		if e.RetryAfter == 0 {
			copied := *e
			copied.RetryAfter = RetryUnavailable
			return &copied
		}
	}
	if !found {
		return &Error{Code: EInternal}
	}
	return e
}

// fieldError is an input error from a pure validator that names its field (the text rule's
// usertext.Error): it is an EInvalid Error with its own message.
type fieldError interface {
	error
	InvalidField() string
}

// As finds the Error in err's chain, or makes one of a validator's error that names its
// field; false when there is neither (an internal error).
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	var fe fieldError
	if errors.As(err, &fe) {
		return &Error{Code: EInvalid, Field: fe.InvalidField(), Message: fe.Error(), Err: err}, true
	}
	return nil, false
}

// Status is the one place where an error code becomes an HTTP status.
func Status(code string) int {
	switch code {
	case EInvalid:
		return http.StatusBadRequest
	case ENotFound:
		return http.StatusNotFound
	case EConflict:
		return http.StatusConflict
	case EUnauthorized:
		return http.StatusUnauthorized
	case EForbidden, EInsufficientScope:
		return http.StatusForbidden
	case EGone:
		return http.StatusGone
	case ETooMany:
		return http.StatusTooManyRequests
	case ETooLarge:
		return http.StatusRequestEntityTooLarge
	case EUnsupported:
		return http.StatusUnsupportedMediaType
	case EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Body is the problem+json document.
type Body struct {
	Type       string `json:"type"`
	Title      string `json:"title"`
	Status     int    `json:"status"`
	Detail     string `json:"detail,omitempty"`
	Instance   string `json:"instance,omitempty"`
	Field      string `json:"field,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

// BodyOf turns err into the document shown to the caller. Internal errors say nothing of
// their cause.
func BodyOf(err error) Body {
	e := errorOf(err)
	if Status(e.Code) == http.StatusInternalServerError {
		e = &Error{Code: EInternal} // an unknown code is an internal error too: it says nothing
	}
	status := Status(e.Code)
	b := Body{Type: TypeBase + e.Code, Title: http.StatusText(status), Status: status, Detail: e.Message, Field: e.Field}
	if e.Code == EInternal {
		b.Detail = "Something went wrong on our side. Please try again."
	}
	if e.RetryAfter > 0 {
		b.RetryAfter = int((e.RetryAfter + time.Second - 1) / time.Second)
	}
	return b
}

// Write sends err as application/problem+json, with Retry-After when the error has one.
func Write(w http.ResponseWriter, r *http.Request, requestID string, err error) {
	b := BodyOf(err)
	b.Instance = r.URL.Path
	b.RequestID = requestID
	if b.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(b.RetryAfter))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(b.Status)
	_ = json.NewEncoder(w).Encode(b)
}
