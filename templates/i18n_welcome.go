package templates

// welcomeCatalog holds the strings of "You're in", the page a new member lands on, and of
// "Save to phone" on the members' entries.
var welcomeCatalog = map[string][2]string{
	"title.welcome":     {"You're in: %s", "已加入：%s"},
	"welcome.title":     {"You're in", "您已加入"},
	"welcome.member_of": {"You are a member of %s.", "您已成为“%s”的成员。"},
	"welcome.card":      {"Your card", "您的名片"},
	"welcome.card_note": {"The people you meet here see it. We filled in your name and the phone number you signed in with.", "您在这里认识的人会看到它。我们已填好您的姓名和登录所用的手机号。"},
	"welcome.shows":     {"What this circle's members see", "此圈子的成员能看到什么"},
	"welcome.sees_now":  {"Now they see: %s.", "他们现在能看到：%s。"},
	"welcome.phone_why": {"Show your phone here and the people you meet save you to their phone with one tap, number included.", "在此显示电话，您认识的人一键即可把您连同电话号码存进手机通讯录。"},
	"welcome.save":      {"Save and see the members", "保存并查看成员"},
	"welcome.later":     {"Later: go to the circle", "稍后再说，进入圈子"},

	"member.saves":        {"Saves %s", "将保存：%s"},
	"member.request_full": {"Request full card", "索要完整名片"},

	// The words of FieldList: card fields named inside a sentence, and how a list joins.
	"fields.display_name": {"name", "姓名"},
	"fields.title":        {"title", "职位"},
	"fields.company":      {"company", "公司"},
	"fields.phones":       {"phone", "电话"},
	"fields.emails":       {"email", "邮箱"},
	"fields.address":      {"address", "地址"},
	"fields.website":      {"website", "网站"},
	"fields.note":         {"note", "备注"},
	"fields.avatar":       {"photo", "头像"},
	"fields.comma":        {", ", "、"},
	"fields.and":          {"%s and %s", "%s和%s"},
}
