package phoneauth

import (
	"errors"
	"fmt"
	"time"

	"qrcircles"
	"qrcircles/authz/otp"
)

// tooMany says which limit refused and when to come back.
func tooMany(limit string, retryAfter time.Duration) *qrcircles.Error {
	retryAfter = max(retryAfter, time.Second)
	var what string
	switch limit {
	case otp.LimitPhoneGap, otp.LimitPhoneHourly:
		what = "Too many codes for this number."
	case otp.LimitIPHourly:
		what = "Too many codes were requested from your network."
	case otp.LimitCircleDaily:
		what = "This circle's sign-ins have used all the codes planned for today; ask the organizer."
	case otp.LimitVerifyIP:
		what = "Too many tries from your network."
	default:
		what = "We are sending too many codes right now."
	}
	return &qrcircles.Error{
		Code:       qrcircles.ETooMany,
		Message:    fmt.Sprintf("%s Try again in %s.", what, waitText(retryAfter)),
		RetryAfter: retryAfter,
	}
}

// waitText says a wait in whole seconds under a minute, else in whole minutes, rounding up.
func waitText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 60 {
		return fmt.Sprintf("%d s", secs)
	}
	return fmt.Sprintf("%d min", (secs+59)/60)
}

// gone explains why a challenge takes no more codes.
func gone(why error) *qrcircles.Error {
	msg := "This code has expired. Request a new one."
	switch {
	case errors.Is(why, otp.ErrUsed):
		msg = "This code has already been used. Request a new one."
	case errors.Is(why, otp.ErrDead):
		msg = "Too many wrong codes. Request a new one."
	}
	return &qrcircles.Error{Code: qrcircles.EGone, Field: "code", Message: msg, Err: why}
}

func unavailable(err error) *qrcircles.Error {
	return &qrcircles.Error{Code: qrcircles.EUnavailable, Message: "We cannot send or check SMS codes right now. Please try again in a few minutes.", Err: err}
}

func internal(err error) error {
	var p *qrcircles.Error
	if errors.As(err, &p) {
		return err
	}
	return &qrcircles.Error{Code: qrcircles.EInternal, Message: "Something went wrong on our side. Please try again.", Err: err}
}

func withCause(p *qrcircles.Error, err error) *qrcircles.Error {
	p.Err = err
	return p
}
