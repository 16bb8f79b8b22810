package templates

// accountCatalog holds the strings of the account page (data export, account deletion) and
// of the navigation around every page.
var accountCatalog = map[string][2]string{
	"account.data":           {"Your data", "我的数据"},
	"account.data_intro":     {"Download everything kept about you: your card, circles, requests, contacts, messages and settings.", "下载我们保存的关于您的全部数据：名片、圈子、申请、联系人、消息和设置。"},
	"account.export_json":    {"Download all (JSON)", "下载全部（JSON）"},
	"account.export_vcf":     {"Download my card (vCard)", "下载我的名片（vCard）"},
	"account.delete":         {"Delete your account", "删除账户"},
	"account.delete_intro":   {"Your card, memberships, requests, contacts and sign-ins are deleted and every app loses access. Messages you sent stay with the people who received them, from a deleted user. This cannot be undone.", "您的名片、圈子成员身份、申请、联系人和登录状态将被删除，所有应用的授权也会失效。您发出的消息仍保留在收件人处，发件人显示为已注销用户。此操作无法撤销。"},
	"account.delete_confirm": {"I want to delete my account and everything in it.", "我要删除账户及其中的全部内容。"},
	"account.delete_button":  {"Delete my account", "删除我的账户"},
	"account.deleted_title":  {"Account deleted", "账户已删除"},
	"account.deleted_body":   {"Your account is deleted. Your card, circles, contacts and sign-ins are gone. You can sign up again with the same phone number as a new person.", "您的账户已删除，名片、圈子、联系人和登录状态均已清除。您可以用同一手机号重新注册为新用户。"},

	"nav.sign_in":  {"Sign in", "登录"},
	"nav.sign_out": {"Sign out", "退出登录"},
	"nav.you":      {"Your account: %s", "我的账户：%s"},
}
