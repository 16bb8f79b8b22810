package qrcircles

// webPhrases are the errors of the circle pages (the browser's forms and links), and the names
// of the form fields they are about.
var webPhrases = map[string][2]string{
	"common.verbatim": {"%s", "%s"}, // what a person wrote, or a value that writes itself in the language (a time)

	"web.no_page":        {"There is no such page.", "页面不存在。"},
	"web.not_organizer":  {"Only the circle's organizer may open this page.", "只有圈子的组织者可以打开此页面。"},
	"web.expired_form":   {"This form has expired. Please try again.", "表单已过期，请重试。"},
	"web.unknown_code":   {"No circle has this QR code. Check that you scanned the whole code, or ask the organizer.", "没有与此二维码对应的圈子。请确认扫描了完整的二维码，或询问组织者。"},
	"web.closed":         {"This circle is closed and takes no new members.", "该圈子已关闭，不再接受新成员。"},
	"web.scan_again":     {"This page is too old to join from. Please scan the QR code again.", "页面已过期，请重新扫码。"},
	"web.confirm_delete": {"Tick the box to confirm that your account should be deleted.", "请勾选确认框以删除账户。"},
	"web.not_asked":      {"You have not asked to join this circle. Scan its QR code to ask.", "您尚未申请加入该圈子，请扫码申请。"},
	"web.no_phones":      {"No phone numbers found: put one number per line, or in the first column of the CSV.", "未找到手机号：请每行填写一个号码，或放在 CSV 的第一列。"},
	"web.qr_size":        {"The size is a number of pixels from %d to %d.", "尺寸须为 %d 到 %d 之间的像素数。"},
	"web.filter_times":   {"The filter's times are not dates and times.", "筛选时间格式不正确。"},
	"web.not_admitted":   {"This person could not be admitted: %s", "无法通过此人的申请：%s"},
	"web.choose_shows":   {"Choose what your card shows.", "请选择名片显示的内容。"},
	"web.no_setting":     {"There is no such setting.", "没有此设置。"},
	"web.on_or_off":      {"Choose on or off.", "请选择开或关。"},
	"web.expected":       {"Enter the number of people expected, from 1 to 1,000,000, or leave it empty.", "请输入预计人数（1 至 1,000,000），或留空。"},
	"web.time_zone":      {"Choose a time zone.", "请选择时区。"},
	"web.bad_time":       {"The %s time is not a date and time.", "%s时间格式不正确。"},
	"web.member_cap":     {"The member cap is a whole number; leave it empty for no cap.", "成员上限须为整数；留空表示不限。"},
	"web.phone_range":    {"Phone range line %d: write it as +8613800000000..+8613899999999.", "手机号范围第 %d 行：请写成 +8613800000000..+8613899999999。"},
	"web.id_range":       {"User-ID range line %d: write it as 1000..1999.", "用户身份ID范围第 %d 行：请写成 1000..1999。"},
	"web.labeled":        {"%s: %s", "%s：%s"},

	// The times of the circle form, in "The %s time is not…".
	"web.time.starts_at":  {"start", "开始"},
	"web.time.ends_at":    {"end", "结束"},
	"web.time.not_before": {"scan window opening", "扫码开始"},
	"web.time.not_after":  {"scan window closing", "扫码截止"},

	// The fields of the forms, named in the messages about them.
	"web.field.phone_prefixes": {"Phone prefixes", "手机号前缀"},
	"web.field.phone_ranges":   {"Phone ranges", "手机号范围"},
	"web.field.user_id_ranges": {"User-ID ranges", "用户身份ID范围"},
	"web.field.not_after":      {"Scan window", "扫码时限"},
	"web.field.cap":            {"Member cap", "成员上限"},
	"web.field.mode":           {"Mode", "审核方式"},
	"web.field.on_site":        {"On site only", "仅限现场"},
	"web.field.display_name":   {"Name", "姓名"},
	"web.field.title":          {"Title", "职位"},
	"web.field.company":        {"Company", "公司"},
	"web.field.phones":         {"Phones", "电话"},
	"web.field.emails":         {"Emails", "邮箱"},
	"web.field.address":        {"Address", "地址"},
	"web.field.website":        {"Website", "网站"},
	"web.field.note":           {"Note", "备注"},
	"web.field.avatar":         {"Photo", "头像"},
	"web.field.phone":          {"Phone", "手机号"},
}
