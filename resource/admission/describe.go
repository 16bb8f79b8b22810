package admission

import (
	"strings"

	"qrcircles"
)

// descriptions holds the applicant-facing sentence per reason: English, then Chinese. They
// speak to the applicant about themselves and never name another person; the organizer's
// sentences, with the rule and the value, are Explain's.
var descriptions = map[qrcircles.Reason][2]string{
	qrcircles.ReasonBeforeWindow: {"scanned before the window opened", "扫码时间早于扫码时限"},
	qrcircles.ReasonAfterWindow:  {"scanned after the window closed", "扫码时间晚于扫码时限"},
	qrcircles.ReasonNotInRange:   {"your phone number is not among those this circle admits at once", "您的手机号不在该圈子直接通过的范围内"},
	qrcircles.ReasonCapReached:   {"the circle is full: you join if the organizer makes room", "圈子成员已满：组织者腾出名额后您即可加入"},
	qrcircles.ReasonReview:       {"the organizer reviews every request", "组织者需审核每个加入申请"},
	qrcircles.ReasonClosed:       {"the circle is closed", "该圈子已关闭"},
	// Worded so that the applicant cannot learn who excluded them, or that anyone did.
	qrcircles.ReasonExcluded:   {"This circle is not available to you.", "您无法加入该圈子。"},
	qrcircles.ReasonRefusesAll: {"you have chosen to refuse joining any circle", "您已设置拒绝加入任何圈子"},
	qrcircles.ReasonNotOnSite:  {"the code you scanned was not the one shown on site just now", "您扫描的不是现场刚刚显示的二维码"},
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
