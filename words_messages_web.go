package qrcircles

// messagesWebPhrases are the sentences of direct messages that the message pages brought.
var messagesWebPhrases = map[string][2]string{
	"messages.no_person": {"There is no such person.", "没有这个人。"},
}
