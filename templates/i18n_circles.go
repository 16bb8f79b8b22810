package templates

// circlesCatalog holds the notices and choices of the circle, card and settings pages.
var circlesCatalog = map[string][2]string{

	"notice.window_opens":  {"Joining opens %s. You can ask now; the organizer will review your request.", "扫码时限自 %s 开始；现在申请将等待组织者审核。"},
	"notice.window_closed": {"Joining closed %s. You can still ask; the organizer will review your request.", "扫码时限已于 %s 结束；仍可申请，将等待组织者审核。"},

	"onsite.any":    {"Any scan counts, printed or on screen", "任何扫码均可"},
	"onsite.review": {"On site only: other scans wait for review", "仅限现场：其他扫码需审核"},
	"onsite.refuse": {"On site only: other scans are refused", "仅限现场：其他扫码被拒绝"},
	"mode.rules":    {"Admit when the rules pass, others wait for review", "符合规则自动加入，其他等待审核"},
	"mode.review":   {"Review every request", "全部人工审核"},
	"mode.open":     {"Admit anyone (up to the cap)", "任何人均可加入（不超过上限）"},

	"privacy.refuse_cards":        {"Refuse cards from strangers", "拒收陌生人名片"},
	"privacy.refuse_cards_note":   {"Cards from people who are not your contacts wait for you to accept them.", "非联系人递来的名片需您接受。"},
	"privacy.block_messages":      {"Block messages from strangers", "屏蔽陌生人消息"},
	"privacy.block_messages_note": {"Only your contacts can message you.", "只有联系人可以给您发消息。"},
	"privacy.refuse_all":          {"Refuse all circles", "拒绝加入任何圈子"},
	"privacy.refuse_all_note":     {"Scanning a circle's code will not make you a member.", "扫码不会加入任何圈子。"},
}
