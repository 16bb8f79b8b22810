package qrcircles

// healthPhrases are the details of the health page's checks. A detail that is only a name
// (a database dialect, an SMS provider) is checks.value.
var healthPhrases = map[string][2]string{
	"checks.value":           {"%s", "%s"},
	"checks.no_answer":       {"%s: no answer", "%s：无响应"},
	"checks.timeout":         {"no answer within %s", "%s 内无响应"},
	"checks.db_down":         {"cannot read: the database does not answer", "无法读取：数据库无响应"},
	"checks.unreadable":      {"cannot read the applied migrations", "无法读取已应用的迁移"},
	"checks.pending":         {"%d pending (%s): run %s", "%d 个待应用（%s）：请运行 %s"},
	"checks.applied":         {"%d applied, none pending", "已应用 %d 个，无待应用"},
	"checks.hub_stopped":     {"not running: starting, or stopped", "未运行：正在启动或已停止"},
	"checks.hub_sqlite":      {"running; SQLite needs no LISTEN", "运行中；SQLite 无需 LISTEN"},
	"checks.hub_listen_down": {"running, but the LISTEN connection is down; reconnecting", "运行中，但 LISTEN 连接已断开，正在重连"},
	"checks.hub_ok":          {"running, LISTEN connected", "运行中，LISTEN 已连接"},
	"checks.sms_unused":      {"not used by this role", "此角色不发送短信"},
	"checks.sms_none":        {"no provider configured", "未配置短信服务"},
}
