// Package otp holds the rules of SMS login codes: the abuse limits on sending and checking
// them, and the life of one code (expiry, wrong tries, single use). Everything here is a pure
// function over plain values with the clock passed in; the counters themselves live in the
// database so that the limits hold across instances.
package otp

import (
	"strconv"
	"time"

	"qrcircles"
)

// Names of the limits, as reported by Decide.
const (
	LimitPhoneGap    = "phone-gap"    // at least PhoneGap between two sends to one phone
	LimitPhoneHourly = "phone-hourly" // sends to one phone per hour
	LimitIPHourly    = "ip-hourly"    // sends requested from one client IP per hour
	LimitGlobal      = "global"       // sends by all instances together per hour
	LimitCircleDaily = "circle-daily" // sends for sign-ins that start at one circle's page, per day
	LimitVerifyIP    = "verify-ip"    // failed code checks from one client IP per hour
)

// Policy is the set of numbers the limits and codes obey.
type Policy struct {
	PhoneGap           time.Duration
	PhonePerHour       int
	IPPerHour          int
	GlobalPerHour      int
	CodeTTL            time.Duration
	MaxWrongTries      int
	VerifyPerIPPerHour int
}

// DefaultGlobalPerHour is the overall hourly budget when none is configured.
const DefaultGlobalPerHour = 1000

// DefaultPolicy returns the product's limits with the given overall hourly budget
// (DefaultGlobalPerHour when it is zero or less).
func DefaultPolicy(globalPerHour int) Policy {
	if globalPerHour <= 0 {
		globalPerHour = DefaultGlobalPerHour
	}
	return Policy{
		PhoneGap:           60 * time.Second,
		PhonePerHour:       5,
		IPPerHour:          20,
		GlobalPerHour:      globalPerHour,
		CodeTTL:            5 * time.Minute,
		MaxWrongTries:      5,
		VerifyPerIPPerHour: 60,
	}
}

// Limit is one fixed-window counter: at most Max hits per Period under Key.
type Limit struct {
	Name   string
	Key    string
	Max    int
	Period time.Duration
}

// Origin is where a request for a code comes from: the client IP, and, when the sign-in
// started at a circle's page (a pending scan), that circle and its daily budget; Proven says
// the request carries a valid proof of work.
type Origin struct {
	IP           string
	CircleID     int64
	CircleBudget int
	Proven       bool
}

// SendLimits are the limits one code sent to phone for a request from o must pass. The phone
// gap is a window of one send per PhoneGap. A sign-in that starts at a circle counts against
// the circle's budget instead of its IP, so that a venue behind one address gets in; any
// other counts against its IP, unless it proved work, which stands in for the IP's limit.
// The per-phone limits and the overall budget hold for every request. Past the circle's
// budget the caller asks again without the circle (phoneauth.Service.Send).
func (p Policy) SendLimits(phone string, o Origin) []Limit {
	ls := []Limit{
		{LimitPhoneGap, "send:phone-gap:" + phone, 1, p.PhoneGap},
		{LimitPhoneHourly, "send:phone:" + phone, p.PhonePerHour, time.Hour},
		{LimitGlobal, "send:global", p.GlobalPerHour, time.Hour},
	}
	switch {
	case o.CircleID != 0:
		budget := max(o.CircleBudget, 1)
		ls = append(ls, Limit{LimitCircleDaily, "send:circle:" + strconv.FormatInt(o.CircleID, 10), budget, 24 * time.Hour})
	case !o.Proven:
		ls = append(ls, Limit{LimitIPHourly, "send:ip:" + o.IP, p.IPPerHour, time.Hour})
	}
	return ls
}

// VerifyLimits are the limits a code check from clientIP must pass; only checks that fail
// count against them (phoneauth.Service.Verify), so a right code is never refused for the
// many others on its network.
func (p Policy) VerifyLimits(clientIP string) []Limit {
	return []Limit{{LimitVerifyIP, "verify:ip:" + clientIP, p.VerifyPerIPPerHour, time.Hour}}
}

// Window is the state of a fixed-window counter (see qrcircles.RateWindow).
type Window = qrcircles.RateWindow

// Advance is one hit at now: it opens a new window when there is none or when the current
// one has passed (now ≥ Start+period), and counts the hit otherwise. The database's counter
// does the same in one statement.
func Advance(w Window, period time.Duration, now time.Time) Window {
	if w.Count == 0 || !now.Before(w.Start.Add(period)) {
		return Window{Start: now, Count: 1}
	}
	return Window{Start: w.Start, Count: w.Count + 1}
}

// Hit is a limit and its window just after a hit.
type Hit struct {
	Limit  Limit
	Window Window
}

// Decision says whether a request passes every limit and, if not, which limit refused it and
// how long until it would pass.
type Decision struct {
	Allowed    bool
	Limit      string
	RetryAfter time.Duration
}

// Decide checks the windows after a hit on each limit. When several limits refuse, the one
// that lasts longest is reported, since the request cannot pass before it ends.
func Decide(hits []Hit, now time.Time) Decision {
	d := Decision{Allowed: true}
	for _, h := range hits {
		if h.Window.Count <= h.Limit.Max {
			continue
		}
		wait := retryAfter(h, now)
		if d.Allowed || wait > d.RetryAfter {
			d = Decision{Allowed: false, Limit: h.Limit.Name, RetryAfter: wait}
		}
	}
	return d
}

// retryAfter is the time until the hit's window closes, kept within one period so that a
// clock that differs between instances cannot ask for a longer wait.
func retryAfter(h Hit, now time.Time) time.Duration {
	wait := h.Window.Start.Add(h.Limit.Period).Sub(now)
	return min(max(wait, 0), h.Limit.Period)
}
