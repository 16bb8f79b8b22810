package templates

// titleCatalog names the pages: the title of the browser's tab and of the pages that say only
// one thing (an error, a closed circle).
var titleCatalog = map[string][2]string{
	"title.not_found":       {"Not found", "未找到"},
	"title.not_allowed":     {"Not allowed", "无权访问"},
	"title.closed":          {"Closed", "已关闭"},
	"title.check":           {"Please check", "请检查"},
	"title.wait":            {"Please wait", "请稍候"},
	"title.unavailable":     {"Temporarily unavailable", "暂时无法使用"},
	"title.my_circles":      {"My circles", "我的圈子"},
	"title.settings":        {"Settings", "设置"},
	"title.card_requests":   {"Card requests", "名片请求"},
	"title.manage":          {"Manage: %s", "管理：%s"},
	"title.allow_access":    {"Allow access", "授权访问"},
	"title.consent":         {"Consent", "授权"},
	"title.not_joined":      {"Not joined", "未加入"},
	"title.scan_again":      {"Scan again", "请重新扫码"},
	"title.your_name":       {"Your name", "您的姓名"},
	"title.sign_out":        {"Sign out", "退出登录"},
	"title.signed_out":      {"Signed out", "已退出登录"},
	"title.account_deleted": {"Account deleted", "账户已删除"},
}
