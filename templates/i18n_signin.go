package templates

// signinCatalog holds the strings of sign-in by SMS code that go beyond the core ones: the
// proof of work asked of a busy network, and the organizer's budget of codes for a circle.
var signinCatalog = map[string][2]string{
	"signin.proof_title": {"One more step", "还差一步"},
	"signin.proof_intro": {"Many codes were asked for from your network this hour. Your browser now does a short calculation to show that a person is signing in; when it says it is verified, send the code.", "本小时内您所在的网络已请求了许多验证码。您的浏览器将进行一次简短的计算，以证明是真人在登录；显示验证成功后，请发送验证码。"},
	"signin.proof_nojs":  {"This check needs JavaScript. Turn it on, or try again in an hour.", "此验证需要启用 JavaScript。请启用后重试，或一小时后再试。"},

	"budget.title": {"Expected attendance", "预计到场人数"},
	"budget.hint":  {"Sign-ins that start from this circle's QR code may use this many SMS codes a day, however many people share one network. Leave it empty for the member cap, or 1,000.", "从本圈子二维码开始的登录，每天最多可使用这么多条短信验证码，不受同一网络人数的限制。留空则使用成员上限，若无上限则为 1,000。"},
	"budget.label": {"People expected", "预计人数"},
	"budget.now":   {"Codes a day now: %d", "当前每日验证码上限：%d"},
	"budget.save":  {"Save attendance", "保存预计人数"},
}
