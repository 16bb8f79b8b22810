package admission

import (
	"strings"
	"testing"
	"unicode"

	"qrcircles"
)

var allReasons = []qrcircles.Reason{
	qrcircles.ReasonBeforeWindow, qrcircles.ReasonAfterWindow, qrcircles.ReasonNotInRange, qrcircles.ReasonCapReached,
	qrcircles.ReasonReview, qrcircles.ReasonClosed, qrcircles.ReasonExcluded, qrcircles.ReasonRefusesAll, qrcircles.ReasonNotOnSite,
}

func TestDescribeEveryReasonInBothLanguages(t *testing.T) {
	for _, r := range allReasons {
		en, zh := Describe(r).In(qrcircles.LangEnglish), Describe(r).In(qrcircles.LangChinese)
		if en == string(r) || !isLatin(en) {
			t.Errorf("Describe(%s, en) = %q, want an English sentence", r, en)
		}
		if zh == string(r) || !strings.ContainsFunc(zh, isHan) {
			t.Errorf("Describe(%s, zh) = %q, want a Chinese sentence", r, zh)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		reason   qrcircles.Reason
		lang     string
		contains string
	}{
		{qrcircles.ReasonAfterWindow, "en", "after the window closed"},
		{qrcircles.ReasonBeforeWindow, "en", "before the window opened"},
		{qrcircles.ReasonAfterWindow, qrcircles.LangChinese, "扫码时限"},
		{qrcircles.ReasonBeforeWindow, qrcircles.LangChinese, "扫码时限"},
		{qrcircles.ReasonNotInRange, qrcircles.LangChinese, "手机号"},
		{qrcircles.ReasonNotInRange, "en", "phone number"},
		{qrcircles.ReasonNotOnSite, "en", "shown on site"},
		{qrcircles.ReasonNotOnSite, qrcircles.LangChinese, "现场"},
		{qrcircles.ReasonCapReached, qrcircles.LangChinese, "已满"},
		{qrcircles.ReasonCapReached, "fr", "full"},
		{qrcircles.ReasonCapReached, "", "full"},
		{"made_up", qrcircles.LangChinese, "made_up"}, // no phrase: shown as its key, which the catalog test forbids
	}
	for _, tt := range tests {
		if got := Describe(tt.reason).In(tt.lang); !strings.Contains(got, tt.contains) {
			t.Errorf("Describe(%s, %q) = %q, want it to contain %q", tt.reason, tt.lang, got, tt.contains)
		}
	}
}

// The applicant must not learn that someone excluded them.
func TestDescribeExcludedRevealsNobody(t *testing.T) {
	if got := Describe(qrcircles.ReasonExcluded).In(qrcircles.LangEnglish); got != "This circle is not available to you." {
		t.Errorf("en = %q", got)
	}
	if got := Describe(qrcircles.ReasonExcluded).In(qrcircles.LangChinese); got != "您无法加入该圈子。" {
		t.Errorf("zh = %q", got)
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isLatin(s string) bool {
	return !strings.ContainsFunc(s, isHan) && strings.ContainsFunc(s, unicode.IsLetter)
}
