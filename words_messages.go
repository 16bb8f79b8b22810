package qrcircles

// messagePhrases are the sentences of direct messages and announcements.
var messagePhrases = map[string][2]string{
	"messages.empty":              {"Write a message.", "请输入消息内容。"},
	"messages.strangers":          {"You can message only people in your circles and your contacts.", "您只能给同一圈子中的人和您的联系人发消息。"},
	"messages.contacts_only":      {"This person does not accept messages from people who are not their contacts.", "此人不接受非联系人发来的消息。"},
	"messages.announce_organizer": {"Only the circle's organizer can post announcements.", "只有圈子的组织者可以发布公告。"},
	"messages.announce_members":   {"Only the circle's members can read its announcements.", "只有圈子的成员可以阅读其公告。"},
	"messages.mute_members":       {"You can mute only circles you are in.", "您只能将自己所在的圈子设为免打扰。"},
	"messages.before_id":          {"before_id is the ID of an item of the previous page.", "before_id 应为上一页中某一项的 ID。"},
	"messages.limit":              {"limit is a number from 1 to %d.", "limit 应为 1 到 %d 之间的数字。"},
}
