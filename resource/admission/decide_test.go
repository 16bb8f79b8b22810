package admission

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the tests need Asia/Shanghai and America/New_York on any machine

	"qrcircles"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func TestDecide(t *testing.T) {
	shanghai := mustLoad(t, "Asia/Shanghai")
	newYork := mustLoad(t, "America/New_York")
	opens := time.Date(2026, 5, 1, 9, 0, 0, 0, shanghai)   // 01:00 UTC
	closes := time.Date(2026, 5, 1, 18, 0, 0, 0, shanghai) // 10:00 UTC
	inside := opens.Add(time.Hour)
	window := qrcircles.Rules{NotBefore: opens, NotAfter: closes}
	ranged := qrcircles.Rules{
		PhonePrefixes: []string{"+86138"},
		PhoneRanges:   []qrcircles.PhoneRange{{From: "+8613900000000", To: "+8613900000099"}},
		UserIDRanges:  []qrcircles.IDRange{{From: 100, To: 200}},
		Allowlist:     []string{"+14155550100"},
	}
	strict := qrcircles.Rules{NotBefore: opens, NotAfter: closes, PhonePrefixes: []string{"+86138"}, Cap: 10}
	outsider := Applicant{UserID: 7, Phone: "+4930123456"}
	insider := Applicant{UserID: 7, Phone: "+8613812345678"}
	late := closes.Add(time.Minute)

	tests := []struct {
		name  string
		rules qrcircles.Rules
		a     Applicant
		scan  time.Time
		state State
		want  qrcircles.Decision
	}{
		// Scan window: inclusive bounds, instants not wall clocks, open ends.
		{"scan exactly at not_before", window, outsider, opens, State{}, admit()},
		{"scan exactly at not_after", window, outsider, closes, State{}, admit()},
		{"1ns before not_before", window, outsider, opens.Add(-1), State{}, queue(qrcircles.ReasonBeforeWindow)},
		{"1ns after not_after", window, outsider, closes.Add(1), State{}, queue(qrcircles.ReasonAfterWindow)},
		{"not_before given in UTC", window, outsider, opens.UTC(), State{}, admit()},
		{"not_after given in New York", window, outsider, closes.In(newYork), State{}, admit()},
		{"1ns after not_after in New York", window, outsider, closes.In(newYork).Add(1), State{}, queue(qrcircles.ReasonAfterWindow)},
		// 08:00 UTC reads as before 09:00 but is 16:00 in Shanghai, inside the window.
		{"UTC wall clock before window, instant inside", window, outsider, time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), State{}, admit()},
		// 12:00 UTC reads as inside 09:00–18:00 but is 20:00 in Shanghai.
		{"UTC wall clock inside window, instant after", window, outsider, time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), State{}, queue(qrcircles.ReasonAfterWindow)},
		{"only not_before, far future", qrcircles.Rules{NotBefore: opens}, outsider, opens.AddDate(10, 0, 0), State{}, admit()},
		{"only not_before, before it", qrcircles.Rules{NotBefore: opens}, outsider, opens.Add(-time.Second), State{}, queue(qrcircles.ReasonBeforeWindow)},
		{"only not_after, far past", qrcircles.Rules{NotAfter: closes}, outsider, closes.AddDate(-10, 0, 0), State{}, admit()},
		{"only not_after, after it", qrcircles.Rules{NotAfter: closes}, outsider, late, State{}, queue(qrcircles.ReasonAfterWindow)},
		{"no window, no rules", qrcircles.Rules{}, outsider, time.Time{}, State{}, admit()},

		// Identity: any one matching rule is enough.
		{"matches prefix only", ranged, Applicant{UserID: 1, Phone: "+8613811112222"}, inside, State{}, admit()},
		{"matches phone range only", ranged, Applicant{UserID: 1, Phone: "+8613900000050"}, inside, State{}, admit()},
		{"matches user-ID range only", ranged, Applicant{UserID: 150, Phone: "+4930123456"}, inside, State{}, admit()},
		{"matches allowlist only", ranged, Applicant{UserID: 1, Phone: "+14155550100"}, inside, State{}, admit()},
		{"matches nothing", ranged, outsider, inside, State{}, queue(qrcircles.ReasonNotInRange)},
		{"empty identity rules admit anyone", window, Applicant{}, inside, State{}, admit()},

		// Cap: never exceeded, zero means none.
		{"members one below cap", qrcircles.Rules{Cap: 10}, outsider, inside, State{Members: 9}, admit()},
		{"members equal cap", qrcircles.Rules{Cap: 10}, outsider, inside, State{Members: 10}, queue(qrcircles.ReasonCapReached)},
		{"members above cap", qrcircles.Rules{Cap: 10}, outsider, inside, State{Members: 11}, queue(qrcircles.ReasonCapReached)},
		{"cap 0 is unlimited", qrcircles.Rules{}, outsider, inside, State{Members: 1_000_000}, admit()},

		// Several failing rules: all reported, in the order window, range, cap.
		{"window, range and cap fail", strict, outsider, late, State{Members: 10}, queue(qrcircles.ReasonAfterWindow, qrcircles.ReasonNotInRange, qrcircles.ReasonCapReached)},
		{"before window and cap fail", strict, insider, opens.Add(-1), State{Members: 10}, queue(qrcircles.ReasonBeforeWindow, qrcircles.ReasonCapReached)},
		{"range and cap fail", strict, outsider, inside, State{Members: 12}, queue(qrcircles.ReasonNotInRange, qrcircles.ReasonCapReached)},
		{"explicit rules mode passes", with(strict, qrcircles.ModeRules), insider, inside, State{Members: 9}, admit()},

		// Open mode ignores window and range but not the cap.
		{"open admits outsider after window", with(strict, qrcircles.ModeOpen), outsider, late, State{Members: 9}, admit()},
		{"open queues at cap", with(strict, qrcircles.ModeOpen), outsider, late, State{Members: 10}, queue(qrcircles.ReasonCapReached)},

		// Review mode queues everyone, with the failing rules for the organizer.
		{"review queues a passing applicant", with(strict, qrcircles.ModeReview), insider, inside, State{Members: 9}, queue(qrcircles.ReasonReview)},
		{"review lists failing rules", with(strict, qrcircles.ModeReview), outsider, late, State{Members: 10}, queue(qrcircles.ReasonReview, qrcircles.ReasonAfterWindow, qrcircles.ReasonNotInRange, qrcircles.ReasonCapReached)},
		{"unknown mode reviews rather than admits", with(qrcircles.Rules{}, "reveiw"), insider, inside, State{}, queue(qrcircles.ReasonReview)},

		// Refusals win over everything, in the order closed, refuses-all, excluded.
		{"closed", qrcircles.Rules{Closed: true}, insider, inside, State{}, refuse(qrcircles.ReasonClosed)},
		{"closed beats open mode", qrcircles.Rules{Closed: true, Mode: qrcircles.ModeOpen}, insider, inside, State{}, refuse(qrcircles.ReasonClosed)},
		{"closed beats refuses-all and excluded", qrcircles.Rules{Closed: true}, insider, inside, State{RefusesAll: true, Excluded: true}, refuse(qrcircles.ReasonClosed)},
		{"refuses all", qrcircles.Rules{}, insider, inside, State{RefusesAll: true}, refuse(qrcircles.ReasonRefusesAll)},
		{"refuses all beats excluded", qrcircles.Rules{}, insider, inside, State{RefusesAll: true, Excluded: true}, refuse(qrcircles.ReasonRefusesAll)},
		{"excluded", qrcircles.Rules{}, insider, inside, State{Excluded: true}, refuse(qrcircles.ReasonExcluded)},
		{"excluded in open mode", qrcircles.Rules{Mode: qrcircles.ModeOpen}, insider, inside, State{Excluded: true}, refuse(qrcircles.ReasonExcluded)},
		{"excluded in review mode", qrcircles.Rules{Mode: qrcircles.ModeReview}, insider, inside, State{Excluded: true}, refuse(qrcircles.ReasonExcluded)},
		{"excluded beats failing rules", strict, outsider, late, State{Excluded: true, Members: 10}, refuse(qrcircles.ReasonExcluded)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.rules, tt.a, tt.scan, tt.state)
			if got.Outcome != tt.want.Outcome || !slices.Equal(got.Reasons, tt.want.Reasons) {
				t.Errorf("Decide = %v %v, want %v %v", got.Outcome, got.Reasons, tt.want.Outcome, tt.want.Reasons)
			}
		})
	}
}

func admit() qrcircles.Decision { return qrcircles.Decision{Outcome: qrcircles.Admit} }
func queue(reasons ...qrcircles.Reason) qrcircles.Decision {
	return qrcircles.Decision{Outcome: qrcircles.Queue, Reasons: reasons}
}
func refuse(reasons ...qrcircles.Reason) qrcircles.Decision {
	return qrcircles.Decision{Outcome: qrcircles.Refuse, Reasons: reasons}
}
func with(r qrcircles.Rules, mode qrcircles.Mode) qrcircles.Rules { r.Mode = mode; return r }

func TestInRange(t *testing.T) {
	tests := []struct {
		name  string
		rules qrcircles.Rules
		a     Applicant
		want  bool
	}{
		{"no identity rules", qrcircles.Rules{}, Applicant{}, true},
		{"prefix matches", qrcircles.Rules{PhonePrefixes: []string{"+86138"}}, Applicant{Phone: "+8613812345678"}, true},
		{"prefix differs", qrcircles.Rules{PhonePrefixes: []string{"+86138"}}, Applicant{Phone: "+8613912345678"}, false},
		{"second prefix matches", qrcircles.Rules{PhonePrefixes: []string{"+1", "+86"}}, Applicant{Phone: "+8613912345678"}, true},
		{"prefix equals whole number", qrcircles.Rules{PhonePrefixes: []string{"+8613812345678"}}, Applicant{Phone: "+8613812345678"}, true},
		{"empty phone never matches a prefix", qrcircles.Rules{PhonePrefixes: []string{"+"}}, Applicant{}, false},

		// A 13-digit range: bounds inclusive, neighbours and other lengths outside.
		{"range from bound", cnRange(), Applicant{Phone: "+8613800000000"}, true},
		{"range to bound", cnRange(), Applicant{Phone: "+8613899999999"}, true},
		{"range inside", cnRange(), Applicant{Phone: "+8613812345678"}, true},
		{"range one below from", cnRange(), Applicant{Phone: "+8613799999999"}, false},
		{"range one above to", cnRange(), Applicant{Phone: "+8613900000000"}, false},
		// Lexicographically between the bounds, but one digit short: numerically far below.
		{"range shorter number", cnRange(), Applicant{Phone: "+861381234567"}, false},
		{"range longer number", cnRange(), Applicant{Phone: "+86138123456789"}, false},
		// Bounds of different lengths: +999..+10000 holds +1234 although "+1234" < "+999" as text.
		{"mixed-length range, 4 digits", mixedRange(), Applicant{Phone: "+1234"}, true},
		{"mixed-length range, to bound", mixedRange(), Applicant{Phone: "+10000"}, true},
		{"mixed-length range, from bound", mixedRange(), Applicant{Phone: "+999"}, true},
		{"mixed-length range, below", mixedRange(), Applicant{Phone: "+998"}, false},
		{"mixed-length range, above", mixedRange(), Applicant{Phone: "+10001"}, false},
		{"mixed-length range, shorter", mixedRange(), Applicant{Phone: "+99"}, false},

		// Prefix and range are separate rules: matching either one is enough.
		{"prefix yes, range no", qrcircles.Rules{PhonePrefixes: []string{"+86137"}, PhoneRanges: cnRange().PhoneRanges}, Applicant{Phone: "+8613712345678"}, true},
		{"range yes, prefix no", qrcircles.Rules{PhonePrefixes: []string{"+86137"}, PhoneRanges: cnRange().PhoneRanges}, Applicant{Phone: "+8613812345678"}, true},
		{"prefix no, range no", qrcircles.Rules{PhonePrefixes: []string{"+86137"}, PhoneRanges: cnRange().PhoneRanges}, Applicant{Phone: "+8613612345678"}, false},

		{"user ID from bound", idRange(), Applicant{UserID: 100}, true},
		{"user ID to bound", idRange(), Applicant{UserID: 200}, true},
		{"user ID below", idRange(), Applicant{UserID: 99}, false},
		{"user ID above", idRange(), Applicant{UserID: 201}, false},
		{"user ID in second range", qrcircles.Rules{UserIDRanges: []qrcircles.IDRange{{From: 1, To: 2}, {From: 500, To: 600}}}, Applicant{UserID: 550}, true},
		{"user ID rule ignores phone", idRange(), Applicant{UserID: 1, Phone: "+8613812345678"}, false},

		{"allowlisted", allow(), Applicant{Phone: "+14155550101"}, true},
		{"not allowlisted", allow(), Applicant{Phone: "+14155550102"}, false},
		{"allowlist is exact, not a prefix", allow(), Applicant{Phone: "+141555501001"}, false},
		{"phone with spaces never matches", qrcircles.Rules{PhonePrefixes: []string{"+86"}}, Applicant{Phone: "+86 138 1234 5678"}, false},

		// Rules that were not validated fail closed: a malformed entry matches nobody.
		{"empty prefix", qrcircles.Rules{PhonePrefixes: []string{""}}, Applicant{Phone: "+8613812345678"}, false},
		{"range from a bare number", qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "0", To: "+99999999999999"}}}, Applicant{Phone: "+8613812345678"}, false},
		{"range to a bare number", qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+1", To: "99999999999999999"}}}, Applicant{Phone: "+8613812345678"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InRange(tt.rules, tt.a); got != tt.want {
				t.Errorf("InRange(%+v) = %v, want %v", tt.a, got, tt.want)
			}
		})
	}
}

func cnRange() qrcircles.Rules {
	return qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+8613800000000", To: "+8613899999999"}}}
}
func mixedRange() qrcircles.Rules {
	return qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+999", To: "+10000"}}}
}
func idRange() qrcircles.Rules {
	return qrcircles.Rules{UserIDRanges: []qrcircles.IDRange{{From: 100, To: 200}}}
}
func allow() qrcircles.Rules {
	return qrcircles.Rules{Allowlist: []string{"+14155550100", "+14155550101"}}
}

func TestInWindow(t *testing.T) {
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	tests := []struct {
		name       string
		rules      qrcircles.Rules
		scan       time.Time
		wantOK     bool
		wantReason qrcircles.Reason
	}{
		{"inside", qrcircles.Rules{NotBefore: start, NotAfter: end}, start.Add(time.Minute), true, ""},
		{"before", qrcircles.Rules{NotBefore: start, NotAfter: end}, start.Add(-1), false, qrcircles.ReasonBeforeWindow},
		{"after", qrcircles.Rules{NotBefore: start, NotAfter: end}, end.Add(1), false, qrcircles.ReasonAfterWindow},
		{"single instant window", qrcircles.Rules{NotBefore: start, NotAfter: start}, start, true, ""},
		{"unbounded", qrcircles.Rules{}, time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := InWindow(tt.rules, tt.scan)
			if ok != tt.wantOK || reason != tt.wantReason {
				t.Errorf("InWindow = %v %q, want %v %q", ok, reason, tt.wantOK, tt.wantReason)
			}
		})
	}
}
