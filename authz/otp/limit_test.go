package otp

import (
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestDefaultPolicy(t *testing.T) {
	for _, tc := range []struct {
		budget, want int
	}{{0, 1000}, {-1, 1000}, {50, 50}} {
		p := DefaultPolicy(tc.budget)
		if p.GlobalPerHour != tc.want {
			t.Errorf("DefaultPolicy(%d).GlobalPerHour = %d, want %d", tc.budget, p.GlobalPerHour, tc.want)
		}
		if p.PhoneGap != time.Minute || p.PhonePerHour != 5 || p.IPPerHour != 20 || p.CodeTTL != 5*time.Minute ||
			p.MaxWrongTries != 5 || p.VerifyPerIPPerHour != 60 {
			t.Errorf("DefaultPolicy(%d) = %+v", tc.budget, p)
		}
	}
}

func TestAdvance(t *testing.T) {
	hour := time.Hour
	for _, tc := range []struct {
		name string
		w    Window
		now  time.Time
		want Window
	}{
		{"first hit opens a window", Window{}, at(0), Window{Start: at(0), Count: 1}},
		{"hit inside the window counts", Window{Start: at(0), Count: 3}, at(10 * time.Minute), Window{Start: at(0), Count: 4}},
		{"last instant of the window counts", Window{Start: at(0), Count: 3}, at(hour - time.Nanosecond), Window{Start: at(0), Count: 4}},
		{"window ends exactly after the period", Window{Start: at(0), Count: 3}, at(hour), Window{Start: at(hour), Count: 1}},
		{"long after, a new window", Window{Start: at(0), Count: 9}, at(5 * hour), Window{Start: at(5 * hour), Count: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Advance(tc.w, hour, tc.now)
			if !got.Start.Equal(tc.want.Start) || got.Count != tc.want.Count {
				t.Fatalf("Advance = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// counters plays the database: a hit on each limit, committed only when every limit allows.
type counters map[string]Window

func (c counters) try(limits []Limit, now time.Time) Decision {
	hits := make([]Hit, len(limits))
	for i, l := range limits {
		hits[i] = Hit{l, Advance(c[l.Key], l.Period, now)}
	}
	d := Decide(hits, now)
	if d.Allowed {
		for _, h := range hits {
			c[h.Limit.Key] = h.Window
		}
	}
	return d
}

type send struct {
	at        time.Duration
	phone, ip string
	limit     string        // "" when allowed
	retry     time.Duration // when refused
}

func TestSendLimits(t *testing.T) {
	p := DefaultPolicy(0)
	ok := func(at time.Duration, phone, ip string) send { return send{at: at, phone: phone, ip: ip} }
	no := func(at time.Duration, phone, ip, limit string, retry time.Duration) send {
		return send{at, phone, ip, limit, retry}
	}
	s := time.Second
	cases := []struct {
		name   string
		policy Policy
		sends  []send
	}{
		{"60 s between sends to one phone", p, []send{
			ok(0, "+1", "a"),
			no(59*s, "+1", "a", LimitPhoneGap, s),
			no(60*s-time.Millisecond, "+1", "a", LimitPhoneGap, time.Millisecond),
			ok(60*s, "+1", "a"),
			ok(61*s, "+2", "a"), // another phone is not held back
		}},
		{"5th send in an hour passes, 6th is refused until the hour ends", p, []send{
			ok(0, "+1", "a"), ok(60*s, "+1", "a"), ok(120*s, "+1", "a"), ok(180*s, "+1", "a"), ok(240*s, "+1", "a"),
			no(300*s, "+1", "a", LimitPhoneHourly, 3300*s),
			no(3599*s, "+1", "a", LimitPhoneHourly, s),
			ok(3600*s, "+1", "a"),
		}},
		{"the longest refusal is reported", withPhonePerHour(p, 1), []send{
			ok(0, "+1", "a"),
			no(30*s, "+1", "a", LimitPhoneHourly, 3570*s), // the gap would allow it 30 s later
		}},
		{"the global budget", withGlobal(p, 3), []send{
			ok(0, "+1", "a"), ok(s, "+2", "b"), ok(2*s, "+3", "c"),
			no(3*s, "+4", "d", LimitGlobal, 3597*s),
			ok(3600*s, "+4", "d"),
		}},
	}
	ipCase := cases[0]
	ipCase.name, ipCase.sends = "20 sends an hour from one IP", nil
	for i := range 20 {
		ipCase.sends = append(ipCase.sends, ok(time.Duration(i)*s, "+"+string(rune('A'+i)), "ip"))
	}
	ipCase.sends = append(ipCase.sends, no(20*s, "+Z", "ip", LimitIPHourly, 3580*s), ok(20*s, "+Z", "other-ip"))
	cases = append(cases, ipCase)

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := counters{}
			for i, snd := range tc.sends {
				d := c.try(tc.policy.SendLimits(snd.phone, snd.ip), at(snd.at))
				want := Decision{Allowed: snd.limit == "", Limit: snd.limit, RetryAfter: snd.retry}
				if d != want {
					t.Fatalf("send %d at %v: %+v, want %+v", i+1, snd.at, d, want)
				}
			}
		})
	}
}

func withPhonePerHour(p Policy, n int) Policy { p.PhonePerHour = n; return p }
func withGlobal(p Policy, n int) Policy       { p.GlobalPerHour = n; return p }

func TestVerifyLimits(t *testing.T) {
	p := DefaultPolicy(0)
	c := counters{}
	for i := range 60 {
		if d := c.try(p.VerifyLimits("ip"), at(time.Duration(i)*time.Second)); !d.Allowed {
			t.Fatalf("check %d refused: %+v", i+1, d)
		}
	}
	d := c.try(p.VerifyLimits("ip"), at(time.Minute))
	if d.Allowed || d.Limit != LimitVerifyIP || d.RetryAfter != 59*time.Minute {
		t.Fatalf("61st check: %+v", d)
	}
	if d := c.try(p.VerifyLimits("other"), at(time.Minute)); !d.Allowed {
		t.Fatalf("another IP refused: %+v", d)
	}
}

func TestRetryAfterStaysWithinThePeriod(t *testing.T) {
	l := Limit{Name: "x", Max: 1, Period: time.Minute}
	for _, tc := range []struct {
		name  string
		start time.Time
		want  time.Duration
	}{
		{"window opened by a clock ahead of ours", at(time.Hour), time.Minute},
		{"window that should have closed", at(-time.Hour), 0},
		{"ordinary", at(-20 * time.Second), 40 * time.Second},
	} {
		d := Decide([]Hit{{l, Window{Start: tc.start, Count: 2}}}, at(0))
		if d.Allowed || d.RetryAfter != tc.want {
			t.Errorf("%s: %+v, want retry after %v", tc.name, d, tc.want)
		}
	}
}
