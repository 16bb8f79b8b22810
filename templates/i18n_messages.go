package templates

// messagesCatalog holds the strings of the message pages (the conversations and a thread) and
// of the navigation's Messages item.
var messagesCatalog = map[string][2]string{
	"nav.messages": {"Messages", "消息"},
	"nav.unread":   {"%d unread", "%d 条未读"},

	"inbox.title":        {"Messages", "消息"},
	"inbox.none":         {"No messages yet. Write to someone from a circle's member list.", "暂无消息。可在圈子的成员列表中给他人发消息。"},
	"inbox.unread":       {"%d unread", "%d 条未读"},
	"inbox.you":          {"You: %s", "我：%s"},
	"inbox.earlier":      {"Earlier conversations", "更早的会话"},
	"inbox.back":         {"All messages", "全部消息"},
	"inbox.thread_none":  {"No messages yet. Say hello.", "暂无消息，打个招呼吧。"},
	"inbox.older":        {"Earlier messages", "更早的消息"},
	"inbox.from_you":     {"You", "我"},
	"inbox.label":        {"Your message", "您的消息"},
	"inbox.send":         {"Send", "发送"},
	"inbox.deleted_user": {"Deleted user", "已注销用户"},
	"inbox.no_name":      {"No name", "未署名"},
	"inbox.gone":         {"This person deleted their account: you can read what they wrote, but not answer.", "此人已注销账户：您仍可阅读其消息，但无法回复。"},
	"inbox.write":        {"Message", "发消息"},
	"inbox.times":        {"Times are in %s time.", "时间为%s。"},
	"inbox.read":         {"Read", "已读"},
}
