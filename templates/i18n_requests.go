package templates

// requestsCatalog holds the strings of card requests where they happen (the navigation's
// badge, their page, the circle's section), of the answers shown next to the form that was
// sent, of leaving a circle, and of the next steps of a page that turns a person away.
var requestsCatalog = map[string][2]string{
	"nav.requests":       {"Card requests", "名片请求"},
	"nav.requests_label": {"Card requests: %d waiting", "名片请求：%d 条待处理"},

	"requests.intro":     {"Cards given to you and requests for your card wait here for your answer.", "别人递给您的名片和向您索要名片的请求在此等待您的答复。"},
	"requests.in_circle": {"From members of this circle", "来自本圈成员"},
	"requests.all":       {"All card requests", "全部名片请求"},
	"settings.requests":  {"Card requests waiting for your answer: %d", "等待您答复的名片请求：%d"},

	"done.saved":     {"Saved.", "已保存。"},
	"done.delivered": {"Your card was delivered.", "名片已送达。"},
	"done.waiting":   {"Your card waits for them to accept it.", "名片等待对方接受。"},
	"done.requested": {"Your request for their card was sent.", "已发送名片请求。"},
	"done.announced": {"Your announcement was posted.", "公告已发布。"},
	"done.accepted":  {"Accepted.", "已接受。"},
	"done.declined":  {"Declined.", "已拒绝。"},

	"leave.confirm": {"Leave %s? Its members stop seeing your card and you theirs. You can join again by scanning its QR code.", "确定退出“%s”？退出后您与圈内成员将互相看不到名片。您可以再次扫码重新加入。"},
	"leave.yes":     {"Yes, leave", "确认退出"},
	"landing.left":  {"You left this circle. To join again, press Join.", "您已退出该圈子。如需重新加入，请点击“加入”。"},

	"title.not_in_circle": {"Not in this circle", "您不在该圈子中"},
	"away.sign_in":        {"Sign in", "登录"},
	"away.my_circles":     {"Go to my circles", "前往我的圈子"},
	"away.scan_again":     {"If you left this circle or its organizer removed you, scan its QR code again to ask to join.", "如果您已退出该圈子或被组织者移出，请再次扫描圈子的二维码申请加入。"},
}
