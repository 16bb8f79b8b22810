package admission

import (
	"strconv"
	"strings"
	"time"

	"qrcircles"
)

// Facts are the values a decision was made on, as the organizer's reasons name them.
type Facts struct {
	Rules        qrcircles.Rules // Allowlist is not needed: HasAllowlist says whether one is set
	HasAllowlist bool
	Applicant    Applicant
	Scan         time.Time
	Members      int
	Zone         *time.Location // the circle's time zone; nil is UTC
}

// Explain says, in the organizer's words, which rule each reason stands for and the value
// that failed it: one sentence per failing rule. A failed identity check names every
// identity rule that is set, since passing any one would have been enough. Phones are
// masked but for the digits the rule is about and the last four.
func Explain(reasons []qrcircles.Reason, f Facts) []qrcircles.Words {
	var out []qrcircles.Words
	for _, r := range reasons {
		if r == qrcircles.ReasonNotInRange {
			out = append(out, identitySentences(f)...)
			continue
		}
		out = append(out, explainOne(r, f))
	}
	return out
}

// explainKeys are the organizer's sentences of the reasons that need no values.
var explainKeys = map[qrcircles.Reason]string{
	qrcircles.ReasonReview:    "admission.explain.review",
	qrcircles.ReasonNotOnSite: "admission.explain.not_on_site",
	qrcircles.ReasonClosed:    "admission.explain.closed",
	// One sentence for both: the organizer must not learn of anyone's exclusion.
	qrcircles.ReasonExcluded:   "admission.explain.privacy",
	qrcircles.ReasonRefusesAll: "admission.explain.privacy",
}

func explainOne(r qrcircles.Reason, f Facts) qrcircles.Words {
	switch r {
	case qrcircles.ReasonBeforeWindow:
		return qrcircles.Say("admission.explain.before_window", clock(f.Scan, f.Scan, f.Zone), clock(f.Rules.NotBefore, f.Scan, f.Zone))
	case qrcircles.ReasonAfterWindow:
		return qrcircles.Say("admission.explain.after_window", clock(f.Scan, f.Scan, f.Zone), clock(f.Rules.NotAfter, f.Scan, f.Zone))
	case qrcircles.ReasonCapReached:
		return qrcircles.Say("admission.explain.cap", f.Members, f.Rules.Cap)
	}
	if key, ok := explainKeys[r]; ok {
		return qrcircles.Say(key)
	}
	return qrcircles.Say("admission.explain." + string(r)) // not in the catalog: the tests catch it
}

// identitySentences names each identity rule that is set, with the value it was checked on.
func identitySentences(f Facts) []qrcircles.Words {
	r, a := f.Rules, f.Applicant
	var out []qrcircles.Words
	if len(r.PhonePrefixes) > 0 {
		prefixes := make([]string, len(r.PhonePrefixes))
		for i, p := range r.PhonePrefixes {
			prefixes[i] = FormatPhone(p)
		}
		out = append(out, qrcircles.Say("admission.explain.prefix", MaskPhone(a.Phone, longestPrefix(r.PhonePrefixes)), qrcircles.Either(prefixes...)))
	}
	if len(r.PhoneRanges) > 0 {
		ranges := make([]string, len(r.PhoneRanges))
		for i, pr := range r.PhoneRanges {
			ranges[i] = FormatPhone(pr.From) + " – " + FormatPhone(pr.To)
		}
		out = append(out, qrcircles.Say("admission.explain.range", MaskPhone(a.Phone, 0), qrcircles.Either(ranges...)))
	}
	if len(r.UserIDRanges) > 0 {
		ranges := make([]string, len(r.UserIDRanges))
		for i, ir := range r.UserIDRanges {
			ranges[i] = strconv.FormatInt(ir.From, 10) + "–" + strconv.FormatInt(ir.To, 10)
		}
		out = append(out, qrcircles.Say("admission.explain.id_range", a.UserID, qrcircles.Either(ranges...)))
	}
	if f.HasAllowlist {
		out = append(out, qrcircles.Say("admission.explain.allowlist"))
	}
	return out
}

func longestPrefix(prefixes []string) int {
	n := 0
	for _, p := range prefixes {
		n = max(n, len(p)-1)
	}
	return n
}

// clock writes t in the circle's zone: the time alone when it falls on the day of ref, else
// with the date too.
func clock(t, ref time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	t, ref = t.In(zone), ref.In(zone)
	if t.Year() == ref.Year() && t.YearDay() == ref.YearDay() {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// tailDigits stay visible so the organizer can tell two applicants apart.
const tailDigits = 4

// MaskPhone writes an E.164 phone for the organizer: the country code, the first shown
// digits of the national number (at least three; more when the rule is about more — a
// prefix's length), dots for the rest but the last four digits. "+8615012341234" with
// shown 0 is "+86 150 •••• 1234". Anything that is not E.164 is masked whole.
func MaskPhone(phone string, shown int) string {
	if !isE164(phone, 2) {
		return "•••"
	}
	digits := phone[1:]
	cc := countryCodeLen(digits)
	head := max(shown, cc+3)
	if head+tailDigits+2 > len(digits) { // keep at least two digits hidden
		head = max(cc, len(digits)-tailDigits-2)
	}
	tail := min(tailDigits, len(digits)-head-2)
	if tail < 0 {
		tail = 0
	}
	out := "+" + digits[:cc]
	if head > cc {
		out += " " + digits[cc:head]
	}
	out += " ••••"
	if tail > 0 {
		out += " " + digits[len(digits)-tail:]
	}
	return out
}

// FormatPhone writes a phone number or prefix with a space after the country code, as the
// organizer typed it otherwise: "+86138" is "+86 138".
func FormatPhone(p string) string {
	if !isE164(p, 1) {
		return p
	}
	digits := p[1:]
	cc := min(countryCodeLen(digits), len(digits))
	if cc == len(digits) {
		return p
	}
	return "+" + digits[:cc] + " " + digits[cc:]
}

// countryCodeLen is the length of the country calling code that digits start with (ITU-T
// E.164 assignments): 1 for +1 and +7, 2 for the two-digit codes, 3 for the rest.
func countryCodeLen(digits string) int {
	if digits[0] == '1' || digits[0] == '7' {
		return 1
	}
	if len(digits) >= 2 && strings.Contains(twoDigitCodes, "|"+digits[:2]+"|") {
		return 2
	}
	return min(3, len(digits))
}

const twoDigitCodes = "|20|27|30|31|32|33|34|36|39|40|41|43|44|45|46|47|48|49|51|52|53|54|55|56|57|58|60|61|62|63|64|65|66|81|82|84|86|90|91|92|93|94|95|98|"
