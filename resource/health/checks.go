package health

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"qrcircles/storage"
)

// Pinger is what the database check needs.
type Pinger interface {
	Ping(ctx context.Context) error
	Dialect() string
}

// Migrator is what the migrations check needs.
type Migrator interface {
	Pinger
	MigrationStatus(ctx context.Context) ([]storage.MigrationStatus, error)
}

// Hub is what the live-events check needs of the push hub.
type Hub interface {
	Running() bool
	ListenPID() uint32
}

var _ Migrator = (*storage.DB)(nil)

// Database checks that the database answers a ping. The driver's error may name the host, so
// it is only logged.
func Database(db Pinger) Check {
	return Check{Name: "database", Run: func(ctx context.Context) (string, error) {
		d := db.Dialect()
		if err := db.Ping(ctx); err != nil {
			return d + ": no answer / " + d + "：无响应", err
		}
		return d, nil
	}}
}

// Migrations checks that every migration this binary knows has been applied, as
// qrcircles migrate status would list them.
func Migrations(db Migrator) Check {
	return Check{Name: "migrations", Run: func(ctx context.Context) (string, error) {
		// Without a database, the status would read as every migration pending.
		if err := db.Ping(ctx); err != nil {
			return "cannot read: the database does not answer / 无法读取：数据库无响应", err
		}
		ms, err := db.MigrationStatus(ctx)
		if err != nil {
			return "cannot read the applied migrations / 无法读取已应用的迁移", err
		}
		var pending []string
		for _, m := range ms {
			if m.AppliedAt.IsZero() {
				pending = append(pending, strconv.Itoa(m.Version))
			}
		}
		if len(pending) > 0 {
			list := strings.Join(pending, ", ")
			return fmt.Sprintf("%d pending (%s): run qrcircles migrate up / %d 个待应用（%s）：请运行 qrcircles migrate up", len(pending), list, len(pending), list),
				fmt.Errorf("migrations pending: %s", list)
		}
		n := len(ms)
		return fmt.Sprintf("%d applied, none pending / 已应用 %d 个，无待应用", n, n), nil
	}}
}

// LiveEvents checks that the push hub runs and, on PostgreSQL (listens), that it holds its
// LISTEN connection, through which it hears the other instances' events.
func LiveEvents(hub Hub, listens bool) Check {
	return Check{Name: "live_events", Run: func(context.Context) (string, error) {
		switch {
		case !hub.Running():
			return "not running: starting, or stopped / 未运行：正在启动或已停止", errors.New("push hub not running")
		case !listens:
			return "running; SQLite needs no LISTEN / 运行中；SQLite 无需 LISTEN", nil
		case hub.ListenPID() == 0:
			return "running, but the LISTEN connection is down; reconnecting / 运行中，但 LISTEN 连接已断开，正在重连", errors.New("no LISTEN connection")
		}
		return "running, LISTEN connected / 运行中，LISTEN 已连接", nil
	}}
}

// SMS checks that an SMS provider is configured and names it; the credentials stay out.
// A server that sends no codes (used false: the resource role) passes.
func SMS(provider string, used bool) Check {
	return Check{Name: "sms", Run: func(context.Context) (string, error) {
		switch {
		case !used:
			return "not used by this role / 此角色不发送短信", nil
		case provider == "":
			return "no provider configured / 未配置短信服务", errors.New("no SMS provider")
		}
		return provider, nil
	}}
}
