package admission

import (
	"strings"
	"testing"
	"unicode"

	"qrcircles"
)

var allReasons = []qrcircles.Reason{
	qrcircles.ReasonBeforeWindow, qrcircles.ReasonAfterWindow, qrcircles.ReasonNotInRange, qrcircles.ReasonCapReached,
	qrcircles.ReasonReview, qrcircles.ReasonClosed, qrcircles.ReasonExcluded, qrcircles.ReasonRefusesAll,
}

func TestDescribeEveryReasonInBothLanguages(t *testing.T) {
	for _, r := range allReasons {
		en, zh := Describe(r, "en"), Describe(r, "zh")
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
		{qrcircles.ReasonAfterWindow, "zh", "扫码时限"},
		{qrcircles.ReasonBeforeWindow, "zh", "扫码时限"},
		{qrcircles.ReasonNotInRange, "zh", "用户身份ID范围"},
		{qrcircles.ReasonNotInRange, "en", "range"},
		{qrcircles.ReasonCapReached, "zh-CN", "已满"},
		{qrcircles.ReasonCapReached, "ZH-Hans", "已满"},
		{qrcircles.ReasonCapReached, "fr", "full"},
		{qrcircles.ReasonCapReached, "", "full"},
		{"made_up", "zh", "made_up"},
	}
	for _, tt := range tests {
		if got := Describe(tt.reason, tt.lang); !strings.Contains(got, tt.contains) {
			t.Errorf("Describe(%s, %q) = %q, want it to contain %q", tt.reason, tt.lang, got, tt.contains)
		}
	}
}

// The applicant must not learn that someone excluded them.
func TestDescribeExcludedRevealsNobody(t *testing.T) {
	if got := Describe(qrcircles.ReasonExcluded, "en"); got != "This circle is not available to you." {
		t.Errorf("en = %q", got)
	}
	if got := Describe(qrcircles.ReasonExcluded, "zh"); got != "您无法加入该圈子。" {
		t.Errorf("zh = %q", got)
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isLatin(s string) bool {
	return !strings.ContainsFunc(s, isHan) && strings.ContainsFunc(s, unicode.IsLetter)
}
