package templates

import "qrcircles"

// catalog holds every user-visible string of the pages: English, then Simplified Chinese.
// Strings with %s/%d take the arguments of {{t "key" arg}}. A feature keeps its strings in a
// table of its own file; the tables are joined here, and a key may appear in only one.
var catalog = joinCatalogs(coreCatalog, organizerCatalog, accountCatalog, signinCatalog, appCatalog, serverCatalog, welcomeCatalog, requestsCatalog,
	titleCatalog, circlesCatalog, messagesCatalog)

// coreCatalog holds the strings shared by every page.
var coreCatalog = map[string][2]string{
	"app.name":               {"QR Circles", "二维码好友圈"},
	"nav.skip":               {"Skip to content", "跳到正文"},
	"nav.label":              {"Main", "主菜单"},
	"nav.my_circles":         {"My circles", "我的圈子"},
	"nav.my_card":            {"My card", "我的名片"},
	"nav.new_circle":         {"New circle", "新建圈子"},
	"nav.settings":           {"Settings", "设置"},
	"common.home":            {"Home", "首页"},
	"common.save":            {"Save", "保存"},
	"common.none":            {"None.", "暂无。"},
	"common.none_yet":        {"None yet.", "暂无。"},
	"common.nothing_waiting": {"Nothing waiting.", "暂无待处理。"},
	"error.title":            {"Something went wrong", "出错了"},
	"error.body":             {"Something went wrong on our side. Please try again.", "服务器出错了，请重试。"},
	"common.scanned":         {"scanned %s", "扫码时间 %s"},

	// The answers to a form too large or of the wrong kind, given before any page handler runs.
	"error.too_large_title":   {"Too large", "内容过大"},
	"error.too_large":         {"What you sent is too large: this page takes at most %s. Go back and send less, or a smaller file.", "提交的内容过大：此页面最多接受 %s。请返回，减少内容或改用较小的文件。"},
	"error.unsupported_title": {"Cannot read this form", "无法读取此表单"},
	"error.unsupported":       {"This page takes a plain form, not a file upload. Go back and try again.", "此页面只接受普通表单，不接受文件上传。请返回重试。"},

	"phone.hint_login": {"Choose the country or region above, or type the number with + and its country code, e.g. +1 415 555 0100.", "请在上方选择国家或地区，或输入带 + 和国家代码的号码，例如 +1 415 555 0100。"},
	"phone.hint_cc":    {"Start with + and the country code, e.g. +86.", "请以 + 和国家代码开头，例如 +86。"},

	"field.name":    {"Name", "姓名"},
	"field.title":   {"Title", "职位"},
	"field.company": {"Company", "公司"},
	"field.address": {"Address", "地址"},
	"field.website": {"Website", "网站"},
	"field.note":    {"Note", "备注"},
	"field.avatar":  {"Photo", "头像"},
	"field.phone":   {"Phone number", "手机号"},

	"account.title":    {"Your account", "我的账户"},
	"account.sign_out": {"Sign out", "退出登录"},
	"account.apps":     {"Apps you allowed", "已授权的应用"},
	"account.withdraw": {"Withdraw", "撤销"},

	"card.title":         {"My card", "我的名片"},
	"card.who_sees":      {"Who sees which fields:", "谁能看到哪些内容，请在此选择："},
	"card.who_sees_link": {"settings", "设置"},
	"card.phones":        {"Phones, one per line", "电话，每行一个"},
	"card.emails":        {"Emails, one per line", "邮箱，每行一个"},
	"card.save":          {"Save card", "保存名片"},
	"card.your_photo":    {"Your photo", "您的头像"},
	"card.remove_photo":  {"Remove photo", "删除头像"},
	"card.no_photo":      {"No photo yet.", "暂无头像。"},
	"card.photo_hint":    {"PNG, JPEG or GIF, up to 2 MB", "PNG、JPEG 或 GIF，不超过 2 MB"},
	"card.upload_photo":  {"Upload photo", "上传头像"},

	"circle.when":  {"When:", "时间："},
	"circle.where": {"Where:", "地点："},

	"landing.invited": {"You are invited to a circle", "您受邀加入二维码好友圈"},
	"landing.join":    {"Join", "加入"},
	"landing.explain": {"You will sign in with your phone number; the organizer's rules decide whether you join at once or wait for review.", "用手机号登录后，符合规则即加入，否则等待组织者审核。"},

	// The popup of the "Join with QR Circles" button.
	"embed.via":         {"%s (%s) asks you to join this circle. It will learn only whether you joined: not your phone number, not your card.", "%s（%s）邀请您加入此圈子。它只会得知您是否已加入，不会得到您的手机号或名片。"},
	"embed.joined":      {"You are in the circle.", "您已加入该圈子。"},
	"embed.waiting":     {"Your request waits for the organizer's review.", "您的申请正在等待组织者审核。"},
	"embed.refused":     {"You have not joined this circle.", "您未能加入该圈子。"},
	"embed.told":        {"%s's page has been told the result. You can close this window.", "已将结果告知 %s 的页面，您可以关闭此窗口。"},
	"embed.open_circle": {"Open the circle", "打开圈子"},
	"embed.open_status": {"See your request", "查看申请"},
	"embed.close":       {"Close window", "关闭窗口"},

	"poster.qr_label": {"QR code for %s", "%s 的二维码"},
	"poster.call":     {"Scan to join", "扫码加入二维码好友圈"},
	"poster.print":    {"Print this page on A4 paper (Ctrl/⌘+P).", "用 A4 纸打印本页（Ctrl/⌘+P）。"},

	"status.kicker":           {"Your request to join", "加入申请"},
	"status.waiting":          {"Waiting for the organizer", "等待组织者审核"},
	"status.received":         {"Your request was received. It waits because:", "已收到您的申请。需要等待的原因："},
	"status.received_scanned": {"Your request was received (scanned %s). It waits because:", "已收到您的申请（扫码时间 %s）。需要等待的原因："},
	"status.updates":          {"This page updates by itself.", "本页会自动更新。"},
	"status.not_admitted":     {"Not admitted", "未通过"},
	"status.no_longer":        {"You are no longer a member of this circle. Scan its QR code to ask again.", "您已不是该圈子的成员，可重新扫码申请。"},

	"consent.title":         {"Allow %s?", "授权 %s？"},
	"consent.asks":          {"%s asks to:", "%s 请求以下权限："},
	"consent.allow":         {"Allow", "允许"},
	"consent.deny":          {"Deny", "拒绝"},
	"consent.withdraw_note": {"You can withdraw this at any time on your account page.", "您可以随时在账户页面撤销授权。"},

	"home.intro": {"Turn one QR code into a private contact network for your event. Attendees scan it with any scanner, sign in with their phone, and are admitted when your rules pass — or wait for your review.", "活动举办方用一个二维码建立私密的名片圈：与会者用任意扫码工具扫码、手机号验证后，符合扫码时限和身份范围即自动加入，否则等待审核。"},

	"login.title":  {"Sign in", "登录"},
	"login.intro":  {"We will text a 6-digit code to your phone. New here? The same steps create your account.", "我们将向您的手机发送 6 位验证码。首次使用？同样的步骤即可创建账户。"},
	"login.region": {"Country or region", "国家或地区"},
	"login.send":   {"Send code", "发送验证码"},

	"code.title":  {"Enter the code", "输入验证码"},
	"code.intro":  {"We sent a 6-digit code by SMS. It is valid for 5 minutes.", "我们已通过短信发送 6 位验证码，5 分钟内有效。"},
	"code.label":  {"Code", "验证码"},
	"code.resend": {"Send a new code", "重新发送"},

	"mine.organize": {"I organize", "我组织的"},
	"mine.joined":   {"I joined", "我加入的"},
	"mine.waiting":  {"Waiting", "等待审核"},

	"register.title":    {"Welcome", "欢迎"},
	"register.intro":    {"Your phone %s is verified. What name should other members see on your card?", "您的手机号 %s 已验证。其他成员在您的名片上应看到什么姓名？"},
	"register.name":     {"Your name", "姓名"},
	"register.continue": {"Continue", "继续"},

	// RP-initiated logout: an app asks to sign the person out.
	"logout.title":        {"Sign out of QR Circles?", "退出二维码好友圈？"},
	"logout.asks":         {"%s asks to sign you out of QR Circles on this browser.", "%s 请求在此浏览器上退出您的二维码好友圈账户。"},
	"logout.asks_unknown": {"An app asks to sign you out of QR Circles on this browser.", "有应用请求在此浏览器上退出您的二维码好友圈账户。"},
	"logout.confirm":      {"Sign out", "退出登录"},
	"logout.stay":         {"Stay signed in", "保持登录"},
	"logout.done_title":   {"You are signed out", "您已退出登录"},
	"logout.done":         {"You are signed out of QR Circles on this browser.", "您已在此浏览器上退出二维码好友圈。"},
	"logout.account":      {"Your account", "我的账户"},

	"manage.open":           {"Open the circle", "查看圈子"},
	"manage.export":         {"Export the members:", "导出成员："},
	"manage.members":        {"members: %d", "%d 名成员"},
	"manage.waiting":        {"%d waiting", "%d 人待审核"},
	"manage.qr_alt":         {"QR code of the circle", "圈子的二维码"},
	"manage.download":       {"Download:", "下载："},
	"manage.poster":         {"Poster", "海报"},
	"manage.share":          {"Share link", "分享链接"},
	"manage.queue":          {"Review queue (%d)", "待审核（%d）"},
	"manage.approve":        {"Approve", "通过"},
	"manage.deny":           {"Deny", "拒绝"},
	"manage.nobody_waiting": {"Nobody is waiting.", "暂无待审核的申请。"},
	"manage.allowlist":      {"Invitee allowlist", "邀请名单"},
	"manage.allowlist_size": {"%d phone numbers are on the list.", "名单中有 %d 个手机号。"},
	"manage.csv":            {"CSV file (phone in the first column)", "CSV 文件（第一列为手机号）"},
	"manage.paste":          {"…or paste numbers, one per line", "或粘贴手机号，每行一个"},
	"manage.replace":        {"Replace the list", "替换名单"},

	"edit.new_title":     {"New circle", "新建二维码好友圈"},
	"edit.details":       {"Details and rules", "详情与规则"},
	"edit.title":         {"Title", "标题"},
	"edit.description":   {"Description", "内容"},
	"edit.location":      {"Location", "地点"},
	"edit.time_zone":     {"Time zone", "时区"},
	"edit.tz_hint":       {"All times of this circle are in this time zone.", "本圈子的所有时间均按此时区显示。"},
	"edit.starts":        {"Starts", "开始"},
	"edit.ends":          {"Ends", "结束"},
	"edit.rules":         {"Admission rules", "加入规则"},
	"edit.window":        {"Scan window (optional)", "扫码时限（可选）"},
	"edit.not_before":    {"Not before", "不早于"},
	"edit.not_after":     {"Not after", "不晚于"},
	"edit.prefixes":      {"Phone prefixes, one per line", "手机号前缀，每行一个"},
	"edit.phone_ranges":  {"Phone ranges, one per line", "手机号范围，每行一个"},
	"edit.id_ranges":     {"User-ID ranges, one per line", "用户身份ID范围，每行一个"},
	"edit.cap":           {"Member cap (empty: none)", "成员上限（留空为不限）"},
	"edit.mode":          {"Mode", "审核方式"},
	"edit.status":        {"Status", "状态"},
	"edit.status_open":   {"Open: takes requests", "开放：接受申请"},
	"edit.status_closed": {"Closed: takes no one", "关闭：不接受任何人"},
	"edit.create":        {"Create circle", "创建圈子"},

	"view.manage":           {"Manage this circle", "管理圈子"},
	"view.announcements":    {"Announcements", "公告"},
	"view.no_announcements": {"No announcements yet.", "暂无公告。"},
	"view.members":          {"Members (%d)", "成员（%d）"},
	"view.you":              {"(you)", "（我）"},
	"view.contact":          {"contact", "联系人"},
	"view.save_contact":     {"Save to phone", "保存到手机"},
	"view.deliver":          {"Deliver my card", "递名片"},
	"view.request":          {"Request card", "索要名片"},
	"view.no_members":       {"No members yet.", "暂无成员。"},
	"view.save_all":         {"Save everyone to phone", "全部保存到手机"},
	"view.what_shows":       {"What my card shows here", "我的名片在此显示什么"},

	"vis.all":     {"The whole card", "完整名片"},
	"vis.basic":   {"Name, title and company", "姓名、职位和公司"},
	"vis.custom":  {"Only these fields", "仅以下内容"},
	"vis.fields":  {"Fields", "名片内容"},
	"vis.default": {"My default", "默认"},

	"settings.edit_card":       {"Edit my card", "编辑名片"},
	"settings.shows":           {"What my card shows", "名片显示内容"},
	"settings.shows_note":      {"In circles I join from now on. Contacts always see the whole card.", "适用于今后加入的圈子；联系人始终可见完整名片。"},
	"settings.circles":         {"My circles", "我加入的圈子"},
	"settings.muted":           {"muted", "已静音"},
	"settings.unmute":          {"Unmute", "取消静音"},
	"settings.mute":            {"Mute", "静音"},
	"settings.leave":           {"Leave this circle", "退出圈子"},
	"settings.no_circles":      {"You have not joined any circle.", "您尚未加入任何圈子。"},
	"settings.privacy":         {"Privacy", "隐私"},
	"settings.on":              {"on", "开"},
	"settings.off":             {"off", "关"},
	"settings.turn_off":        {"Turn off", "关闭"},
	"settings.turn_on":         {"Turn on", "开启"},
	"settings.exclusions":      {"Never in the same circle as", "不与以下号码同圈"},
	"settings.exclusions_note": {"Nobody is told. From now on you will not be admitted to a circle they are in, nor they to one you are in. To part from someone who is already in a circle with you, leave that circle under My circles.", "对方不会收到通知。从现在起，您不会被加入对方所在的圈子，对方也不会被加入您所在的圈子。如已与对方同在一个圈子，请在“我加入的圈子”中退出该圈子。"},
	"settings.since":           {"since %s", "自 %s 起"},
	"settings.remove":          {"Remove", "移除"},
	"settings.add":             {"Add", "添加"},
	"settings.incoming":        {"Cards waiting for me", "待处理的名片"},
	"settings.gave":            {"gave you their card", "向您递了名片"},
	"settings.asks":            {"asks for your card", "想要您的名片"},
	"settings.accept":          {"Accept", "接受"},
	"settings.decline":         {"Decline", "拒绝"},

	// Operators' health page.
	"health.title":       {"Health", "运行状况"},
	"health.healthy":     {"This instance is healthy.", "此实例运行正常。"},
	"health.unhealthy":   {"This instance is not healthy. Failing: %s", "此实例运行异常。故障项：%s"},
	"health.checked_at":  {"Checked %s", "检查时间 %s"},
	"health.json":        {"As JSON", "JSON 格式"},
	"health.checks":      {"Checks", "检查项"},
	"health.ok":          {"ok", "正常"},
	"health.failing":     {"failing", "故障"},
	"health.took":        {"took %s", "耗时 %s"},
	"health.instance":    {"This instance", "本实例"},
	"health.version":     {"Version:", "版本："},
	"health.role":        {"Role:", "角色："},
	"health.started":     {"Started:", "启动时间："},
	"health.uptime":      {"Uptime:", "已运行："},
	"health.live":        {"Live connections:", "实时连接："},
	"health.pool":        {"Database pool:", "数据库连接池："},
	"health.pool_counts": {"%d in use, %d idle, %d open", "使用中 %d，空闲 %d，已打开 %d"},
}

// T returns the catalog string key in lang, formatted with args (see Say). A missing key shows
// as itself, which the tests forbid.
func T(lang, key string, args ...any) string { return Say(lang, qrcircles.Say(key, args...)) }

// joinCatalogs joins the feature tables into one, and panics at start on a key in two of them.
func joinCatalogs(tables ...map[string][2]string) map[string][2]string {
	out := make(map[string][2]string)
	for _, t := range tables {
		for k, v := range t {
			if _, dup := out[k]; dup {
				panic("templates: catalog key in two tables: " + k)
			}
			out[k] = v
		}
	}
	return out
}
