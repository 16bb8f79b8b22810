package qrcircles

// circlePhrases are the sentences of circles, joining and review: the circle service's errors,
// the applicant's reasons and the organizer's explanations of them (the admission rules).
var circlePhrases = map[string][2]string{
	"circles.not_found":           {"No such circle.", "没有这个圈子。"},
	"circles.no_code":             {"No circle has this code.", "没有与此二维码对应的圈子。"},
	"circles.organizer_only":      {"Only the circle's organizer may do this.", "只有圈子的组织者可以这样做。"},
	"circles.members_only":        {"Only the circle's members see inside it.", "只有圈子的成员能看到圈内内容。"},
	"circles.closed":              {"This circle is closed.", "该圈子已关闭。"},
	"circles.title_needed":        {"A circle needs a title.", "请填写圈子的名称。"},
	"circles.time_zone_unknown":   {"Unknown time zone %q; use a name such as Asia/Shanghai.", "未知时区 %q；请使用 Asia/Shanghai 这样的名称。"},
	"circles.ends_before_starts":  {"The event cannot end before it starts.", "活动的结束时间不能早于开始时间。"},
	"circles.allowlist_too_long":  {"An allowlist can hold at most %d phones.", "邀请名单最多可包含 %d 个手机号。"},
	"circles.allowlist_entry":     {"Entry %d (%q) is not a phone number.", "第 %d 项（%q）不是手机号。"},
	"circles.request_not_found":   {"No such request in this circle.", "该圈子中没有这个申请。"},
	"circles.request_decided":     {"This request has already been decided.", "该申请已处理过。"},
	"circles.not_asked":           {"You have not asked to join this circle.", "您尚未申请加入该圈子。"},
	"circles.not_member":          {"You are not a member of this circle.", "您不是该圈子的成员。"},
	"circles.not_their_member":    {"This person is not a member of the circle.", "此人不是该圈子的成员。"},
	"circles.own_number":          {"That is your own number.", "这是您自己的号码。"},
	"circles.exclusion_not_found": {"No such exclusion.", "没有这个排除设置。"},
	"circles.declined":            {"The organizer declined your request.", "组织者拒绝了您的申请。"},
}

// admissionPhrases are the admission rules' words: why a request waits, as the applicant reads
// it (admission.reason.*, whole sentences: pages list them, the API gives them as messages) and as the organizer reads it, with the values (admission.explain.*);
// and what is wrong with a rule an organizer set (admission.rule.*), a phrase that the field's
// label completes.
var admissionPhrases = map[string][2]string{
	"admission.reason.scan_before_window":    {"Scanned before the window opened.", "扫码时间早于扫码时限。"},
	"admission.reason.scan_after_window":     {"Scanned after the window closed.", "扫码时间晚于扫码时限。"},
	"admission.reason.identity_not_in_range": {"Your phone number is not among those this circle admits at once.", "您的手机号不在该圈子直接通过的范围内。"},
	"admission.reason.cap_reached":           {"The circle is full: you join if the organizer makes room.", "圈子成员已满：组织者腾出名额后您即可加入。"},
	"admission.reason.review_required":       {"The organizer reviews every request.", "组织者需审核每个加入申请。"},
	"admission.reason.circle_closed":         {"The circle is closed.", "该圈子已关闭。"},
	// Worded so that the applicant cannot learn who excluded them, or that anyone did.
	"admission.reason.excluded":        {"This circle is not available to you.", "您无法加入该圈子。"},
	"admission.reason.refuses_circles": {"You have chosen to refuse joining any circle.", "您已设置拒绝加入任何圈子。"},
	"admission.reason.not_on_site":     {"The code you scanned was not the one shown on site just now.", "您扫描的不是现场刚刚显示的二维码。"},

	"admission.explain.before_window": {"Scanned at %s, before the window opened at %s", "扫码时间 %s，早于扫码时限开始时间 %s"},
	"admission.explain.after_window":  {"Scanned at %s, after the window closed at %s", "扫码时间 %s，晚于扫码时限结束时间 %s"},
	"admission.explain.cap":           {"The circle is full (%d of %d)", "圈子已满（%d/%d 人）"},
	"admission.explain.review":        {"Every request is reviewed (review mode)", "每个申请都需审核（审核模式）"},
	"admission.explain.not_on_site":   {"Not scanned on site: the code was not the current one on the projector", "非现场扫码：所扫的不是投屏上当前的二维码"},
	"admission.explain.closed":        {"The circle is closed", "圈子已关闭"},
	// One sentence for an exclusion and a refusal of all circles: the organizer must not learn
	// of anyone's exclusion.
	"admission.explain.privacy":   {"Kept out by the person's own privacy settings", "因本人的隐私设置无法加入"},
	"admission.explain.prefix":    {"Phone %s is outside the prefix %s", "手机号 %s 不在号段 %s 内"},
	"admission.explain.range":     {"Phone %s is outside the range %s", "手机号 %s 不在号码范围 %s 内"},
	"admission.explain.id_range":  {"User ID %d is outside the range %s", "用户 ID %d 不在 ID 范围 %s 内"},
	"admission.explain.allowlist": {"Not on the allowlist", "不在邀请名单中"},

	"admission.rule.window":      {"the end must not be before the start", "结束时间不得早于开始时间"},
	"admission.rule.too_many":    {"has %d entries, at most %d allowed", "有 %d 项，最多允许 %d 项"},
	"admission.rule.prefix":      {"%q is not an E.164 prefix", "%q 不是 E.164 格式的号段"},
	"admission.rule.number":      {"%q is not an E.164 number", "%q 不是 E.164 格式的号码"},
	"admission.rule.phone_order": {"from %s is after to %s", "起始号码 %s 大于结束号码 %s"},
	"admission.rule.id_order":    {"from %d is after to %d", "起始 ID %d 大于结束 ID %d"},
	"admission.rule.cap":         {"must not be negative", "不得为负数"},
	"admission.rule.mode":        {"unknown mode %q", "未知的审核方式 %q"},
	"admission.rule.on_site":     {"unknown on-site setting %q", "未知的现场设置 %q"},
}
