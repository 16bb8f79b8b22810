package admission

import (
	"strings"

	"qrcircles"
)

// descriptions holds the applicant-facing sentence per reason: English, then Chinese.
var descriptions = map[qrcircles.Reason][2]string{
	qrcircles.ReasonBeforeWindow: {"scanned before the window opened", "扫码时间早于扫码时限"},
	qrcircles.ReasonAfterWindow:  {"scanned after the window closed", "扫码时间晚于扫码时限"},
	qrcircles.ReasonNotInRange:   {"your identity is not in the circle's identity range", "您的身份不在用户身份ID范围内"},
	qrcircles.ReasonCapReached:   {"the circle is full", "圈子成员已满"},
	qrcircles.ReasonReview:       {"the organizer reviews every request", "组织者需审核每个加入申请"},
	qrcircles.ReasonClosed:       {"the circle is closed", "该圈子已关闭"},
	// Worded so that the applicant cannot learn who excluded them, or that anyone did.
	qrcircles.ReasonExcluded:   {"This circle is not available to you.", "您无法加入该圈子。"},
	qrcircles.ReasonRefusesAll: {"you have chosen to refuse joining any circle", "您已设置拒绝加入任何圈子"},
}

// Describe returns a short human sentence for reason in lang ("zh", "zh-CN", … for Chinese;
// anything else gets English). An unknown reason is returned as its code.
func Describe(reason qrcircles.Reason, lang string) string {
	texts, ok := descriptions[reason]
	if !ok {
		return string(reason)
	}
	if strings.HasPrefix(strings.ToLower(lang), "zh") {
		return texts[1]
	}
	return texts[0]
}
