package admission

import (
	"errors"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"qrcircles"
)

var fuzzEpoch = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// at is a time a number of minutes from the epoch, or the zero time (an open bound) for 0.
func at(minutes int16) time.Time {
	if minutes == 0 {
		return time.Time{}
	}
	return fuzzEpoch.Add(time.Duration(minutes) * time.Minute)
}

// FuzzDecide: for any rules, applicant and state the decision is one of the three outcomes,
// with reasons that say why and that the pages can describe; refusals always win; a full
// circle admits nobody; review admits nobody; and in the rules mode a person is admitted
// exactly when the window, the identity ranges and the cap all pass — ranges checked
// against an independent reading of the numbers.
func FuzzDecide(f *testing.F) {
	f.Add("rules", false, false, false, 0, 0, int16(-10), int16(10), int16(0), "+86138", "+8613800000000", "+8613899999999", int64(100), int64(200), int64(150), "+8613800138000", "")
	f.Add("open", false, false, false, 2, 2, int16(0), int16(0), int16(5), "", "", "", int64(0), int64(0), int64(7), "+14155550100", "+14155550100")
	f.Add("review", false, false, false, 0, 0, int16(0), int16(0), int16(0), "+1", "", "", int64(0), int64(0), int64(1), "+1", "")
	f.Add("rules", true, false, true, 1, 0, int16(5), int16(-5), int16(0), "+", "+999", "+10000", int64(-1), int64(-5), int64(0), "", "+")
	f.Add("typo", false, true, false, -1, 3, int16(1), int16(2), int16(3), "86", "+86a", "+86", int64(9), int64(9), int64(9), "+8613800138000\x00", "+861")
	f.Fuzz(func(t *testing.T, mode string, closed, excluded, refusesAll bool, cap, members int, nb, na, scan int16,
		prefix, from, to string, idFrom, idTo, userID int64, phone, listed string) {
		r := qrcircles.Rules{NotBefore: at(nb), NotAfter: at(na), Cap: cap, Mode: qrcircles.Mode(mode), Closed: closed}
		if prefix != "" {
			r.PhonePrefixes = []string{prefix}
		}
		if from != "" || to != "" {
			r.PhoneRanges = []qrcircles.PhoneRange{{From: from, To: to}}
		}
		if idFrom != 0 || idTo != 0 {
			r.UserIDRanges = []qrcircles.IDRange{{From: idFrom, To: idTo}}
		}
		if listed != "" {
			r.Allowlist = []string{listed}
		}
		a := Applicant{UserID: userID, Phone: phone}
		st := State{Members: members, Excluded: excluded, RefusesAll: refusesAll}
		scanned := fuzzEpoch.Add(time.Duration(scan) * time.Minute)
		d := Decide(r, a, scanned, st)

		for _, reason := range d.Reasons {
			if _, ok := qrcircles.Phrase(Describe(reason).Key); !ok {
				t.Fatalf("reason %q has no description", reason)
			}
		}
		switch d.Outcome {
		case qrcircles.Admit:
			if len(d.Reasons) != 0 {
				t.Fatalf("admitted with reasons %v", d.Reasons)
			}
		case qrcircles.Queue:
			if len(d.Reasons) == 0 {
				t.Fatal("queued without a reason")
			}
		case qrcircles.Refuse:
			if len(d.Reasons) != 1 {
				t.Fatalf("refused with reasons %v", d.Reasons)
			}
		default:
			t.Fatalf("outcome %q", d.Outcome)
		}
		if (closed || excluded || refusesAll) != (d.Outcome == qrcircles.Refuse) {
			t.Fatalf("closed %v, excluded %v, refuses all %v: %+v", closed, excluded, refusesAll, d)
		}
		if d.Outcome == qrcircles.Admit && cap > 0 && members >= cap {
			t.Fatalf("admitted into a full circle: cap %d, members %d", cap, members)
		}
		if d.Outcome == qrcircles.Admit && r.Mode != "" && r.Mode != qrcircles.ModeRules && r.Mode != qrcircles.ModeOpen {
			t.Fatalf("admitted in mode %q", mode)
		}
		if d.Outcome != qrcircles.Refuse && (r.Mode == "" || r.Mode == qrcircles.ModeRules) {
			inWindow := (nb == 0 || scan >= nb) && (na == 0 || scan <= na) // inclusive, in whole minutes
			want := inWindow && inRangeOracle(r, a) && !(cap > 0 && members >= cap)
			if (d.Outcome == qrcircles.Admit) != want {
				t.Fatalf("rules %+v, applicant %+v, scan %d: %+v; want admitted %v", r, a, scan, d, want)
			}
		}
	})
}

var e164Oracle = regexp.MustCompile(`^\+[0-9]{2,15}$`)

// inRangeOracle reads the identity rules with big numbers instead of string comparisons.
func inRangeOracle(r qrcircles.Rules, a Applicant) bool {
	if len(r.PhonePrefixes)+len(r.PhoneRanges)+len(r.UserIDRanges)+len(r.Allowlist) == 0 {
		return true
	}
	for _, ir := range r.UserIDRanges {
		if ir.From <= a.UserID && a.UserID <= ir.To {
			return true
		}
	}
	if !e164Oracle.MatchString(a.Phone) {
		return false
	}
	if slices.Contains(r.Allowlist, a.Phone) {
		return true
	}
	for _, p := range r.PhonePrefixes {
		if regexp.MustCompile(`^\+[0-9]{1,15}$`).MatchString(p) && strings.HasPrefix(a.Phone, p) {
			return true
		}
	}
	n := number(a.Phone)
	for _, pr := range r.PhoneRanges {
		if !e164Oracle.MatchString(pr.From) || !e164Oracle.MatchString(pr.To) {
			continue
		}
		if number(pr.From).Cmp(n) <= 0 && n.Cmp(number(pr.To)) <= 0 {
			return true
		}
	}
	return false
}

// number reads the digits of a phone as one number, leading zeros and all: "+0012" is 12,
// as comparePhones orders by length first. Numbers with leading zeros are not E.164, but the
// comparison must still be a total order on what it is given.
func number(phone string) *big.Int {
	n, _ := new(big.Int).SetString("1"+phone[1:], 10) // the 1 keeps the length in the number
	return n
}

// FuzzValidate: any rules are valid or refused with the field at fault named; valid rules
// hold only E.164 entries and ranges in order, so that decisions on them mean what they say.
func FuzzValidate(f *testing.F) {
	f.Add("+86138", "+8613800000000", "+8613899999999", int64(1), int64(2), "+8613800138000", 0, "rules")
	f.Add("86", "+999", "+10000", int64(5), int64(1), "+1", -1, "open")
	f.Add("+", "+86\x00", "+86", int64(0), int64(0), "1", 3, "nope")
	f.Fuzz(func(t *testing.T, prefix, from, to string, idFrom, idTo int64, listed string, cap int, mode string) {
		r := qrcircles.Rules{PhonePrefixes: []string{prefix}, PhoneRanges: []qrcircles.PhoneRange{{From: from, To: to}},
			UserIDRanges: []qrcircles.IDRange{{From: idFrom, To: idTo}}, Allowlist: []string{listed}, Cap: cap, Mode: qrcircles.Mode(mode)}
		err := Validate(r)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || !regexp.MustCompile(`^(phone_prefixes|phone_ranges|user_id_ranges|allowlist)\[0\](\.(from|to))?$|^(cap|mode)$`).MatchString(fe.Field) {
				t.Fatalf("Validate = %v, want a FieldError naming an entry", err)
			}
			return
		}
		for _, p := range []string{from, to, listed} {
			if !e164Oracle.MatchString(p) {
				t.Fatalf("%q accepted as a phone", p)
			}
		}
		if !regexp.MustCompile(`^\+[0-9]{1,15}$`).MatchString(prefix) {
			t.Fatalf("%q accepted as a prefix", prefix)
		}
		if number(from).Cmp(number(to)) > 0 || idFrom > idTo || cap < 0 {
			t.Fatalf("rules out of order accepted: %+v", r)
		}
	})
}
