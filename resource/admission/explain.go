package admission

import (
	"fmt"
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

// Explain says, in the organizer's words and in lang, which rule each reason stands for and
// the value that failed it: one sentence per failing rule. A failed identity check names
// every identity rule that is set, since passing any one would have been enough. Phones are
// masked but for the digits the rule is about and the last four.
func Explain(reasons []qrcircles.Reason, f Facts, lang string) []string {
	zh := isChinese(lang)
	var out []string
	for _, r := range reasons {
		if r == qrcircles.ReasonNotInRange {
			out = append(out, identitySentences(f, zh)...)
			continue
		}
		out = append(out, explainOne(r, f, zh))
	}
	return out
}

func explainOne(r qrcircles.Reason, f Facts, zh bool) string {
	switch r {
	case qrcircles.ReasonBeforeWindow:
		return pick(zh, "Scanned at %s, before the window opened at %s", "扫码时间 %s，早于扫码时限开始时间 %s",
			clock(f.Scan, f.Scan, f.Zone), clock(f.Rules.NotBefore, f.Scan, f.Zone))
	case qrcircles.ReasonAfterWindow:
		return pick(zh, "Scanned at %s, after the window closed at %s", "扫码时间 %s，晚于扫码时限结束时间 %s",
			clock(f.Scan, f.Scan, f.Zone), clock(f.Rules.NotAfter, f.Scan, f.Zone))
	case qrcircles.ReasonCapReached:
		return pick(zh, "The circle is full (%d of %d)", "圈子已满（%d/%d 人）", f.Members, f.Rules.Cap)
	case qrcircles.ReasonReview:
		return pick(zh, "Every request is reviewed (review mode)", "每个申请都需审核（审核模式）")
	case qrcircles.ReasonNotOnSite:
		return pick(zh, "Not scanned on site: the code was not the current one on the projector", "非现场扫码：所扫的不是投屏上当前的二维码")
	case qrcircles.ReasonClosed:
		return pick(zh, "The circle is closed", "圈子已关闭")
	case qrcircles.ReasonExcluded, qrcircles.ReasonRefusesAll:
		// One sentence for both: the organizer must not learn of anyone's exclusion.
		return pick(zh, "Kept out by the person's own privacy settings", "因本人的隐私设置无法加入")
	}
	return string(r)
}

// identitySentences names each identity rule that is set, with the value it was checked on.
func identitySentences(f Facts, zh bool) []string {
	r, a := f.Rules, f.Applicant
	var out []string
	if len(r.PhonePrefixes) > 0 {
		out = append(out, pick(zh, "Phone %s is outside the prefix %s", "手机号 %s 不在号段 %s 内",
			MaskPhone(a.Phone, longestPrefix(r.PhonePrefixes)), joinFormatted(r.PhonePrefixes, zh)))
	}
	if len(r.PhoneRanges) > 0 {
		ranges := make([]string, len(r.PhoneRanges))
		for i, pr := range r.PhoneRanges {
			ranges[i] = FormatPhone(pr.From) + " – " + FormatPhone(pr.To)
		}
		out = append(out, pick(zh, "Phone %s is outside the range %s", "手机号 %s 不在号码范围 %s 内",
			MaskPhone(a.Phone, 0), joinOr(ranges, zh)))
	}
	if len(r.UserIDRanges) > 0 {
		ranges := make([]string, len(r.UserIDRanges))
		for i, ir := range r.UserIDRanges {
			ranges[i] = strconv.FormatInt(ir.From, 10) + "–" + strconv.FormatInt(ir.To, 10)
		}
		out = append(out, pick(zh, "User ID %d is outside the range %s", "用户 ID %d 不在 ID 范围 %s 内", a.UserID, joinOr(ranges, zh)))
	}
	if f.HasAllowlist {
		out = append(out, pick(zh, "Not on the allowlist", "不在邀请名单中"))
	}
	return out
}

func pick(zh bool, en, cn string, args ...any) string {
	if zh {
		return fmt.Sprintf(cn, args...)
	}
	return fmt.Sprintf(en, args...)
}

func isChinese(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "zh") }

func joinFormatted(prefixes []string, zh bool) string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = FormatPhone(p)
	}
	return joinOr(out, zh)
}

func joinOr(items []string, zh bool) string {
	if zh {
		return strings.Join(items, "、")
	}
	return strings.Join(items, " or ")
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
