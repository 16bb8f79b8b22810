package api

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"qrcircles"
)

// A request's reasons read in the caller's language (Accept-Language), whatever its region
// or weights; any other language gets English.
func TestRequestReasonsInTheCallersLanguage(t *testing.T) {
	q := qrcircles.JoinRequest{Status: qrcircles.RequestWaiting, Reasons: []qrcircles.Reason{qrcircles.ReasonReview}}
	for _, tt := range []struct{ header, want string }{
		{"", "The organizer reviews every request."},
		{"en-US,en;q=0.9", "The organizer reviews every request."},
		{"fr", "The organizer reviews every request."},
		{"zh-CN,zh;q=0.9", "组织者需审核每个加入申请。"},
		{"ZH-Hans", "组织者需审核每个加入申请。"},
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/", nil)
		c.Request.Header.Set("Accept-Language", tt.header)
		got := toRequestJSON(q, langOf(c)).Reasons
		if len(got) != 1 || got[0].Code != qrcircles.ReasonReview || got[0].Message != tt.want {
			t.Errorf("Accept-Language %q: reasons %+v, want %q", tt.header, got, tt.want)
		}
	}
}

// A refusal says why without naming who caused it: an exclusion reads as "not available",
// and so does a refusal with no reason given.
func TestRefusalNamesNobody(t *testing.T) {
	excluded := qrcircles.JoinRequest{Status: qrcircles.RequestRefused, Reasons: []qrcircles.Reason{qrcircles.ReasonExcluded}}
	silent := qrcircles.JoinRequest{Status: qrcircles.RequestRefused}
	denied := qrcircles.JoinRequest{Status: qrcircles.RequestDenied, Reasons: []qrcircles.Reason{qrcircles.ReasonReview}}
	for _, tt := range []struct {
		q      qrcircles.JoinRequest
		en, zh string
	}{
		{excluded, "This circle is not available to you.", "您无法加入该圈子。"},
		{silent, "This circle is not available to you.", "您无法加入该圈子。"},
		{denied, "The organizer declined your request.", "组织者拒绝了您的申请。"},
	} {
		w := refusal(tt.q)
		if en, zh := w.In(qrcircles.LangEnglish), w.In(qrcircles.LangChinese); en != tt.en || zh != tt.zh {
			t.Errorf("refusal of %+v = %q / %q, want %q / %q", tt.q, en, zh, tt.en, tt.zh)
		}
	}
}
