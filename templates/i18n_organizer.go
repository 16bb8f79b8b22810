package templates

// organizerCatalog holds the strings of the organizer's event day: the review queue with its
// reasons and filters, the members, the projector view, the join funnel and sharing.
var organizerCatalog = map[string][2]string{
	// Short names of the reasons, for counts and the queue's filter.
	"reason.not_on_site":           {"Not scanned on site", "非现场扫码"},
	"reason.scan_before_window":    {"Before the window", "早于扫码时限"},
	"reason.scan_after_window":     {"After the window", "晚于扫码时限"},
	"reason.identity_not_in_range": {"Outside the ranges", "不在号段或名单内"},
	"reason.cap_reached":           {"Circle full", "圈子已满"},
	"reason.review_required":       {"Review mode", "审核模式"},
	"reason.circle_closed":         {"Closed", "已关闭"},
	"reason.excluded":              {"Privacy settings", "隐私设置"},
	"reason.refuses_circles":       {"Privacy settings", "隐私设置"},

	"queue.counts":           {"Waiting requests by reason", "按原因统计的待审核申请"},
	"queue.filter":           {"Filter", "筛选"},
	"queue.reason":           {"Reason", "原因"},
	"queue.any_reason":       {"Any reason", "任何原因"},
	"queue.from":             {"Scanned from", "扫码时间自"},
	"queue.to":               {"Scanned until", "扫码时间至"},
	"queue.show":             {"Show", "显示"},
	"queue.showing":          {"Showing %d of %d.", "显示 %d 个，共 %d 个。"},
	"queue.show_all":         {"Show all", "显示全部"},
	"queue.approve_all":      {"Approve these %d", "全部通过（%d）"},
	"queue.deny_all":         {"Decline these %d…", "全部拒绝（%d）…"},
	"queue.deny_all_confirm": {"Decline all %d requests shown? Each person is told. You can re-open them from the Declined list.", "拒绝显示的全部 %d 个申请？每位申请人都会收到通知。可在“已拒绝”列表中重新打开。"},
	"queue.deny_all_yes":     {"Yes, decline them all", "确认全部拒绝"},
	"queue.deny_confirm":     {"Decline %s's request? They will be told. You can re-open it from the Declined list.", "拒绝 %s 的申请？对方会收到通知。可在“已拒绝”列表中重新打开。"},
	"queue.deny_yes":         {"Yes, decline", "确认拒绝"},
	"queue.declined":         {"Declined (%d)", "已拒绝（%d）"},
	"queue.reopen":           {"Re-open", "重新打开"},
	"queue.approve_anyway":   {"Approve anyway", "仍然通过"},

	"queue.notice_saved":         {"Saved. %d waiting requests were admitted.", "已保存，%d 个等待中的申请已通过。"},
	"queue.notice_approved":      {"Approved: the person is now a member.", "已通过，对方已成为成员。"},
	"queue.notice_declined":      {"Declined. The request is in the Declined list, where you can re-open it.", "已拒绝。该申请在“已拒绝”列表中，可重新打开。"},
	"queue.notice_reopened":      {"Re-opened: the request waits in the queue again.", "已重新打开，该申请重新等待审核。"},
	"queue.notice_bulk_approved": {"Approved %d of %d requests.", "已通过 %d 个申请（共 %d 个）。"},
	"queue.notice_bulk_denied":   {"Declined %d of %d requests.", "已拒绝 %d 个申请（共 %d 个）。"},
	"queue.notice_removed":       {"The member was removed from the circle.", "已将该成员移出圈子。"},

	"people.title":          {"Members (%d)", "成员（%d）"},
	"people.search":         {"Search members by name", "按姓名搜索成员"},
	"people.find":           {"Search", "搜索"},
	"people.none_found":     {"No member has that name.", "没有该姓名的成员。"},
	"people.remove":         {"Remove…", "移出…"},
	"people.remove_confirm": {"Remove %s from the circle? They will no longer see the members; if they scan again, their request waits for you.", "将 %s 移出圈子？对方将不再看到成员；再次扫码时需经您审核。"},
	"people.remove_yes":     {"Yes, remove", "确认移出"},

	"funnel.title":     {"Join funnel", "加入漏斗"},
	"funnel.opened":    {"Opened the page", "打开页面"},
	"funnel.signed_in": {"Signed in", "已登录"},
	"funnel.joined":    {"Joined", "已加入"},
	"funnel.waiting":   {"Waiting", "等待审核"},
	"funnel.refused":   {"Refused", "未通过"},
	"funnel.reasons":   {"Reasons counted", "原因统计"},
	"funnel.csv":       {"Download as CSV", "下载 CSV"},

	"share.copy":   {"Copy link", "复制链接"},
	"share.share":  {"Share", "分享"},
	"share.copied": {"Link copied", "链接已复制"},

	"show.open":    {"Projector view", "投屏模式"},
	"show.qr_alt":  {"QR code of the circle: scan it to join", "圈子的二维码：扫码加入"},
	"show.scan":    {"Scan to join", "扫码加入"},
	"show.on_site": {"The code changes every 30 seconds.", "二维码每 30 秒更新一次。"},
	"show.members": {"%d joined", "已加入 %d 人"},
	"show.welcome": {"Welcome", "欢迎"},

	"edit.on_site":      {"On site only", "仅限现场"},
	"edit.on_site_hint": {"On site only: the projector view shows a code that changes every 30 seconds. Printed codes and forwarded photos are not on site.", "仅限现场：投屏模式显示每 30 秒更新的二维码，打印的二维码和转发的照片不算现场扫码。"},

	"landing.full":        {"This circle is full. You can still ask to join: you will be in if the organizer makes room.", "该圈子已满员。您仍可申请加入：组织者腾出名额后即可加入。"},
	"landing.not_on_site": {"This circle admits at once only scans of the code shown at the event. You can still ask; the organizer will review your request.", "该圈子只直接接受现场二维码的扫码。您仍可申请，组织者将审核您的申请。"},
	"poster.on_site":      {"Scans of this printed code go to the organizer's review; scan the code on the screen at the event to join at once.", "扫描此打印二维码的申请需经组织者审核；扫描活动现场屏幕上的二维码可直接加入。"},

	"announce.label": {"New announcement to every member", "向全体成员发布公告"},
	"announce.post":  {"Post announcement", "发布公告"},
}
