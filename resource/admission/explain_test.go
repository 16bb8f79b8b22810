package admission

import (
	"strings"
	"testing"
	"time"

	"qrcircles"
)

func TestExplain(t *testing.T) {
	shanghai := mustLoad(t, "Asia/Shanghai")
	closes := time.Date(2026, 5, 1, 10, 0, 0, 0, shanghai)
	opens := time.Date(2026, 5, 1, 9, 0, 0, 0, shanghai)
	a := Applicant{UserID: 42, Phone: "+8615012341234"}
	base := Facts{Applicant: a, Scan: closes.Add(55 * time.Minute), Zone: shanghai}
	with := func(f func(*Facts)) Facts { c := base; f(&c); return c }

	tests := []struct {
		name   string
		reason qrcircles.Reason
		facts  Facts
		en, zh []string
	}{
		{"prefix", qrcircles.ReasonNotInRange, with(func(f *Facts) { f.Rules.PhonePrefixes = []string{"+86138"} }),
			[]string{"Phone +86 150 •••• 1234 is outside the prefix +86 138"}, []string{"手机号 +86 150 •••• 1234 不在号段 +86 138 内"}},
		{"two prefixes", qrcircles.ReasonNotInRange, with(func(f *Facts) { f.Rules.PhonePrefixes = []string{"+86138", "+1415"} }),
			[]string{"Phone +86 150 •••• 1234 is outside the prefix +86 138 or +1 415"}, []string{"手机号 +86 150 •••• 1234 不在号段 +86 138、+1 415 内"}},
		{"phone range", qrcircles.ReasonNotInRange, with(func(f *Facts) {
			f.Rules.PhoneRanges = []qrcircles.PhoneRange{{From: "+8613800000000", To: "+8613899999999"}}
		}), []string{"Phone +86 150 •••• 1234 is outside the range +86 13800000000 – +86 13899999999"},
			[]string{"手机号 +86 150 •••• 1234 不在号码范围 +86 13800000000 – +86 13899999999 内"}},
		{"user-ID range", qrcircles.ReasonNotInRange, with(func(f *Facts) { f.Rules.UserIDRanges = []qrcircles.IDRange{{From: 100, To: 199}} }),
			[]string{"User ID 42 is outside the range 100–199"}, []string{"用户 ID 42 不在 ID 范围 100–199 内"}},
		{"allowlist", qrcircles.ReasonNotInRange, with(func(f *Facts) { f.HasAllowlist = true }),
			[]string{"Not on the allowlist"}, []string{"不在邀请名单中"}},
		{"every identity rule set: each named", qrcircles.ReasonNotInRange, with(func(f *Facts) {
			f.Rules.PhonePrefixes, f.HasAllowlist = []string{"+86138"}, true
		}), []string{"Phone +86 150 •••• 1234 is outside the prefix +86 138", "Not on the allowlist"},
			[]string{"手机号 +86 150 •••• 1234 不在号段 +86 138 内", "不在邀请名单中"}},
		{"after window", qrcircles.ReasonAfterWindow, with(func(f *Facts) { f.Rules.NotAfter = closes }),
			[]string{"Scanned at 10:55, after the window closed at 10:00"}, []string{"扫码时间 10:55，晚于扫码时限结束时间 10:00"}},
		{"before window, other day", qrcircles.ReasonBeforeWindow, with(func(f *Facts) {
			f.Rules.NotBefore, f.Scan = opens, opens.Add(-25*time.Hour)
		}), []string{"Scanned at 08:00, before the window opened at 2026-05-01 09:00"},
			[]string{"扫码时间 08:00，早于扫码时限开始时间 2026-05-01 09:00"}},
		{"cap", qrcircles.ReasonCapReached, with(func(f *Facts) { f.Rules.Cap, f.Members = 50, 50 }),
			[]string{"The circle is full (50 of 50)"}, []string{"圈子已满（50/50 人）"}},
		{"review mode", qrcircles.ReasonReview, base, []string{"Every request is reviewed (review mode)"}, []string{"每个申请都需审核（审核模式）"}},
		{"not on site", qrcircles.ReasonNotOnSite, base, []string{"Not scanned on site: the code was not the current one on the projector"},
			[]string{"非现场扫码：所扫的不是投屏上当前的二维码"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain([]qrcircles.Reason{tt.reason}, tt.facts)
			if en := render(got, qrcircles.LangEnglish); strings.Join(en, "|") != strings.Join(tt.en, "|") {
				t.Errorf("en = %q, want %q", en, tt.en)
			}
			if zh := render(got, qrcircles.LangChinese); strings.Join(zh, "|") != strings.Join(tt.zh, "|") {
				t.Errorf("zh = %q, want %q", zh, tt.zh)
			}
		})
	}
}

// Every reason gets a sentence in each language, and an exclusion reads like a refusal of all
// circles: the organizer learns of nobody's exclusion.
func TestExplainEveryReason(t *testing.T) {
	for _, r := range allReasons {
		said := Explain([]qrcircles.Reason{r}, Facts{})
		en, zh := render(said, qrcircles.LangEnglish), render(said, qrcircles.LangChinese)
		if r == qrcircles.ReasonNotInRange {
			continue // no identity rule set: nothing to name
		}
		if len(en) != 1 || en[0] == string(r) || !isLatin(en[0]) {
			t.Errorf("%s en = %q", r, en)
		}
		if len(zh) != 1 || !strings.ContainsFunc(zh[0], isHan) {
			t.Errorf("%s zh = %q", r, zh)
		}
	}
	if Explain([]qrcircles.Reason{qrcircles.ReasonExcluded}, Facts{})[0].Key != Explain([]qrcircles.Reason{qrcircles.ReasonRefusesAll}, Facts{})[0].Key {
		t.Error("the organizer can tell an exclusion from a refusal of all circles")
	}
}

// render is each of said in lang.
func render(said []qrcircles.Words, lang string) []string {
	out := make([]string, len(said))
	for i, w := range said {
		out[i] = w.In(lang)
	}
	return out
}

func TestMaskPhone(t *testing.T) {
	tests := []struct {
		phone string
		shown int
		want  string
	}{
		{"+8615012341234", 0, "+86 150 •••• 1234"},
		{"+8615012341234", 5, "+86 150 •••• 1234"},
		{"+8615012341234", 7, "+86 15012 •••• 1234"},
		{"+14155550100", 0, "+1 415 •••• 0100"},
		{"+4930123456", 0, "+49 30 •••• 3456"},
		{"+12", 0, "+1 ••••"},
		{"not a phone", 0, "•••"},
	}
	for _, tt := range tests {
		got := MaskPhone(tt.phone, tt.shown)
		if got != tt.want {
			t.Errorf("MaskPhone(%q, %d) = %q, want %q", tt.phone, tt.shown, got, tt.want)
		}
		// Never the whole number, and never more than the shown head plus four.
		if strings.Contains(strings.ReplaceAll(got, " ", ""), tt.phone) {
			t.Errorf("MaskPhone(%q) shows the whole number", tt.phone)
		}
	}
}
