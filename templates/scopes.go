package templates

import "sort"

// scopeTexts explains each OAuth scope to the person asked to grant it, on the consent page:
// English, then Simplified Chinese.
var scopeTexts = map[string][2]string{
	"openid":         {"Know which QR Circles account is yours", "识别您的二维码好友圈账户"},
	"profile":        {"See your name", "查看您的姓名"},
	"phone":          {"See your phone number", "查看您的手机号"},
	"offline_access": {"Stay connected while you are not using the app", "在您未使用该应用时保持连接"},
	"circles:read":   {"See your circles, their members and your requests to join, and be told live when they change", "查看您的圈子、圈子成员和您的加入申请，并实时获知变化"},
	"circles:join":   {"Join circles whose QR code you scan, leave circles, and set who you never share a circle with", "加入您扫码的圈子、退出圈子，并设置不与谁同圈"},
	"circles:manage": {"Create and run circles for you: rules, review queue, members and announcements", "替您创建和管理圈子：规则、审核队列、成员和公告"},
	"cards:read":     {"See your card, the cards of people in your circles and your contacts, and be told live when cards change", "查看您的名片、圈子成员的名片和您的联系人，并实时获知名片变化"},
	"cards:write":    {"Change your card and who sees it; deliver, request, accept and remove cards", "修改您的名片及其可见范围；递送、索要、接受和删除名片"},
	"messages:read":  {"Read your direct messages and your circles' announcements, also live as they arrive, and see which circles you muted", "阅读您的私信和圈子公告（包括实时收到的），并查看您已静音的圈子"},
	"messages:write": {"Send direct messages in your name, and mute or unmute circles", "以您的名义发送私信，并将圈子静音或取消静音"},
}

// ScopeText explains the scope in lang; ok is false for a scope it does not know.
func ScopeText(lang, scope string) (text string, ok bool) {
	texts, ok := scopeTexts[scope]
	if !ok {
		return "", false
	}
	if lang == Chinese {
		return texts[1], true
	}
	return texts[0], true
}

// DescribedScopes lists the scopes ScopeText explains.
func DescribedScopes() []string {
	out := make([]string, 0, len(scopeTexts))
	for s := range scopeTexts {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
