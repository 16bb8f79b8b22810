package phoneauth

import (
	"errors"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/authz/otp"
)

// TestProblemsInBothLanguages: every refusal a person meets at sign-in reads whole in
// English (the API) and in Chinese (a Chinese page), the wait included.
func TestProblemsInBothLanguages(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    *qrcircles.Error
		en, zh string
	}{
		{"phone limit, seconds", tooMany(otp.LimitPhoneGap, 30*time.Second), "Too many codes for this number. Try again in 30 s.", "该号码获取验证码次数过多，请 30 秒后重试。"},
		{"phone limit, minutes", tooMany(otp.LimitPhoneHourly, 10*time.Minute), "Too many codes for this number. Try again in 10 min.", "该号码获取验证码次数过多，请 10 分钟后重试。"},
		{"network limit", tooMany(otp.LimitIPHourly, 61*time.Second), "Too many codes were requested from your network. Try again in 2 min.", "您的网络请求验证码次数过多，请 2 分钟后重试。"},
		{"circle budget", tooMany(otp.LimitCircleDaily, time.Hour), "This circle's sign-ins have used all the codes planned for today; ask the organizer. Try again in 60 min.", "本圈子今天计划的登录验证码已用完，请联系组织者，或 60 分钟后重试。"},
		{"checks from a network", tooMany(otp.LimitVerifyIP, 5*time.Minute), "Too many tries from your network. Try again in 5 min.", "您的网络尝试次数过多，请 5 分钟后重试。"},
		{"overall", tooMany(otp.LimitGlobal, time.Minute), "We are sending too many codes right now. Try again in 1 min.", "当前发送的验证码过多，请 1 分钟后重试。"},
		{"expired", gone(otp.ErrExpired), "This code has expired. Request a new one.", "验证码已过期，请重新获取。"},
		{"used", gone(otp.ErrUsed), "This code has already been used. Request a new one.", "验证码已使用，请重新获取。"},
		{"dead", gone(otp.ErrDead), "Too many wrong codes. Request a new one.", "错误次数过多，请重新获取验证码。"},
		{"provider down", unavailable(errors.New("timeout")), "We cannot send or check SMS codes right now. Please try again in a few minutes.", "暂时无法发送或验证短信验证码，请几分钟后重试。"},
		{"region", errRegion, "Sign-in codes are not sent to numbers of this country or region.", "登录验证码不发送到该国家或地区的号码。"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Message != tt.en || tt.err.In(qrcircles.LangEnglish) != tt.en {
				t.Errorf("English %q / %q, want %q", tt.err.Message, tt.err.In(qrcircles.LangEnglish), tt.en)
			}
			if got := tt.err.In(qrcircles.LangChinese); got != tt.zh {
				t.Errorf("Chinese %q, want %q", got, tt.zh)
			}
		})
	}
}
