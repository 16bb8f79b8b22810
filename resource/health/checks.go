package health

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/templates"
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
	return Check{Name: "database", Run: func(ctx context.Context) (qrcircles.Words, error) {
		d := db.Dialect()
		if err := db.Ping(ctx); err != nil {
			return qrcircles.Say("check.no_answer", d), err
		}
		return templates.Verbatim(d), nil
	}}
}

// Migrations checks that every migration this binary knows has been applied, as
// qrcircles migrate status would list them.
func Migrations(db Migrator) Check {
	return Check{Name: "migrations", Run: func(ctx context.Context) (qrcircles.Words, error) {
		// Without a database, the status would read as every migration pending.
		if err := db.Ping(ctx); err != nil {
			return qrcircles.Say("check.migrations_no_db"), err
		}
		ms, err := db.MigrationStatus(ctx)
		if err != nil {
			return qrcircles.Say("check.migrations_unread"), err
		}
		var pending []string
		for _, m := range ms {
			if m.AppliedAt.IsZero() {
				pending = append(pending, strconv.Itoa(m.Version))
			}
		}
		if len(pending) > 0 {
			list := strings.Join(pending, ", ")
			return qrcircles.Say("check.migrations_pending", len(pending), list, "qrcircles migrate up"),
				fmt.Errorf("migrations pending: %s", list)
		}
		n := len(ms)
		return qrcircles.Say("check.migrations_applied", n), nil
	}}
}

// LiveEvents checks that the push hub runs and, on PostgreSQL (listens), that it holds its
// LISTEN connection, through which it hears the other instances' events.
func LiveEvents(hub Hub, listens bool) Check {
	return Check{Name: "live_events", Run: func(context.Context) (qrcircles.Words, error) {
		switch {
		case !hub.Running():
			return qrcircles.Say("check.hub_stopped"), errors.New("push hub not running")
		case !listens:
			return qrcircles.Say("check.hub_sqlite"), nil
		case hub.ListenPID() == 0:
			return qrcircles.Say("check.hub_no_listen"), errors.New("no LISTEN connection")
		}
		return qrcircles.Say("check.hub_listening"), nil
	}}
}

// SMS checks that an SMS provider is configured and names it; the credentials stay out.
// A server that sends no codes (used false: the resource role) passes.
func SMS(provider string, used bool) Check {
	return Check{Name: "sms", Run: func(context.Context) (qrcircles.Words, error) {
		switch {
		case !used:
			return qrcircles.Say("check.sms_unused"), nil
		case provider == "":
			return qrcircles.Say("check.sms_none"), errors.New("no SMS provider")
		}
		return templates.Verbatim(provider), nil
	}}
}
