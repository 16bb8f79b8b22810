package phoneauth

import (
	"errors"
	"time"

	"qrcircles"
	"qrcircles/authz/otp"
)

// tooMany says which limit refused and when to come back.
func tooMany(limit string, retryAfter time.Duration) *qrcircles.Error {
	retryAfter = max(retryAfter, time.Second)
	key := "limit.global"
	switch limit {
	case otp.LimitPhoneGap, otp.LimitPhoneHourly:
		key = "limit.phone"
	case otp.LimitIPHourly:
		key = "limit.ip"
	case otp.LimitCircleDaily:
		key = "limit.circle"
	case otp.LimitVerifyIP:
		key = "limit.verify_ip"
	}
	e := qrcircles.Fail(qrcircles.ETooMany, key, wait(retryAfter))
	e.RetryAfter = retryAfter
	return e
}

// wait says a wait in whole seconds under a minute, else in whole minutes, rounding up.
func wait(d time.Duration) qrcircles.Words {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 60 {
		return qrcircles.Say("wait.seconds", secs)
	}
	return qrcircles.Say("wait.minutes", (secs+59)/60)
}

// gone explains why a challenge takes no more codes.
func gone(why error) *qrcircles.Error {
	key := "signin.code_expired"
	switch {
	case errors.Is(why, otp.ErrUsed):
		key = "signin.code_used"
	case errors.Is(why, otp.ErrDead):
		key = "signin.code_dead"
	}
	return qrcircles.Fail(qrcircles.EGone, key).WithField("code").WithCause(why)
}

func unavailable(err error) *qrcircles.Error {
	return qrcircles.Fail(qrcircles.EUnavailable, "signin.sms_unavailable").WithCause(err)
}

func internal(err error) error {
	var p *qrcircles.Error
	if errors.As(err, &p) {
		return err
	}
	return qrcircles.Fail(qrcircles.EInternal, "error.internal").WithCause(err)
}
