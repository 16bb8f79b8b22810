package qrcircles

// The one translation of errors into HTTP for both servers: application/problem+json bodies
// (RFC 9457) with a stable type per error code.

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// ProblemTypeBase prefixes every problem type URI.
const ProblemTypeBase = "https://qrcircles.dev/problems/"

// AnswerOf returns the Error that err is answered with, by a page in its reader's language
// (e.In) or by the API in English (e.Message): an outage says so whatever else the chain says,
// and an internal error, or one of an unknown code, says nothing of its cause.
func AnswerOf(err error) *Error {
	e, found := ErrorOf(err)
	if Unavailable(err) {
		if !found || e.Code != EUnavailable {
			out := Fail(EUnavailable, "error.unavailable")
			out.RetryAfter = RetryUnavailable
			return out
		}
		if e.RetryAfter == 0 {
			copied := *e
			copied.RetryAfter = RetryUnavailable
			return &copied
		}
	}
	if !found || HTTPStatus(e.Code) == http.StatusInternalServerError {
		return Fail(EInternal, "error.internal")
	}
	if e.Code == EUnavailable && e.Words.Zero() { // its message may be the API's own; a page says it
		copied := *e
		copied.Words = Say("error.unavailable")
		return &copied
	}
	return e
}

// HTTPStatus is the one place where an error code becomes an HTTP status.
func HTTPStatus(code string) int {
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

// Problem is the problem+json document.
type Problem struct {
	Type       string `json:"type"`
	Title      string `json:"title"`
	Status     int    `json:"status"`
	Detail     string `json:"detail,omitempty"`
	Instance   string `json:"instance,omitempty"`
	Field      string `json:"field,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

// ProblemOf turns err into the document shown to the caller. Internal errors say nothing of
// their cause.
func ProblemOf(err error) Problem {
	e := AnswerOf(err)
	status := HTTPStatus(e.Code)
	b := Problem{Type: ProblemTypeBase + e.Code, Title: http.StatusText(status), Status: status, Detail: e.Message, Field: e.Field}
	if e.RetryAfter > 0 {
		b.RetryAfter = int((e.RetryAfter + time.Second - 1) / time.Second)
	}
	return b
}

// WriteProblem sends err as application/problem+json, with Retry-After when the error has one.
func WriteProblem(w http.ResponseWriter, r *http.Request, requestID string, err error) {
	b := ProblemOf(err)
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
