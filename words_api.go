package qrcircles

// apiPhrases are the sentences of the resource server's plumbing: tokens and scopes, bodies,
// paths, the live stream. The API sends their English; pages that meet them (a form's body
// too large, a malformed address) show them in the reader's language.
var apiPhrases = map[string][2]string{
	"api.token_missing":   {"Send an access token: %s.", "请发送访问令牌：%s。"}, // the header, as it is written
	"api.token_inactive":  {"The access token is not active.", "访问令牌无效或已失效。"},
	"api.user_token":      {"This needs a user's token, not a client's.", "此操作需要用户的令牌，而不是客户端的令牌。"},
	"api.need_scan":       {"This needs a scan session for this circle: exchange your token for one with the circle's URL as audience.", "此操作需要该圈子的扫码会话：请用您的令牌换取一个以圈子 URL 为受众的令牌。"},
	"api.need_scope":      {"This needs scope %s.", "此操作需要权限范围 %s。"},
	"api.need_scope_scan": {"This needs scope %s, or a scan session for this circle.", "此操作需要权限范围 %s，或该圈子的扫码会话。"},
	"api.not_scan_here":   {"This token is not a scan session for this circle.", "此令牌不是该圈子的扫码会话。"},
	"api.scan_limits":     {"A scan session may only read its circle, join it and see its own request to join.", "扫码会话只能查看其圈子、加入该圈子并查看自己的加入申请。"},
	"api.sign_in":         {"Sign in or send an access token.", "请登录或发送访问令牌。"},
	"api.shutting_down":   {"The server is shutting down.", "服务器正在关闭。"},
	"api.last_event_id":   {"Last-Event-ID must be an event ID.", "Last-Event-ID 应为事件 ID。"},
	"api.time_format":     {"Give %s as RFC 3339, e.g. 2026-05-01T09:00:00+08:00.", "请按 RFC 3339 格式填写 %s，例如 2026-05-01T09:00:00+08:00。"},
	"api.status":          {"status is open or closed.", "status 只能是 open 或 closed。"},
	"api.qr_size":         {"size is a number of pixels from %d to %d.", "size 应为 %d 到 %d 之间的像素数。"},
	"api.no_resource":     {"no such resource", "没有这个资源"},
	"api.no_method":       {"method not allowed on this resource", "此资源不支持该请求方法"},
	"api.db_unreachable":  {"database unreachable", "无法连接数据库"},
	"api.multipart":       {"This resource does not take a multipart body; send JSON.", "此资源不接受 multipart 请求内容，请发送 JSON。"},
	"api.body_too_large":  {"The request body is larger than %s, the most this resource takes.", "请求内容大于 %s，超出此资源的上限。"},
	"api.bad_json":        {"The body is not valid JSON for this request.", "请求内容不是有效的 JSON。"},
	"api.no_such_request": {"No such request.", "没有这个请求。"},
	"api.no_such_user":    {"No such user.", "没有这个用户。"},
	"list.or":             {"%s or %s", "%s、%s"},
}

// Either is items as alternatives in the reader's language ("a or b or c", "a、b、c"): each
// further item wraps the list so far, and Words render a wrapped list before their own text.
func Either(items ...string) any {
	if len(items) == 0 {
		return ""
	}
	var out any = items[0]
	for _, it := range items[1:] {
		out = Say("list.or", out, it)
	}
	return out
}
