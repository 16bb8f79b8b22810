package health

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"qrcircles"
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
	return Check{Name: "database", Run: func(ctx context.Context) (qrcircles.Words, error) {
		d := db.Dialect()
		if err := db.Ping(ctx); err != nil {
			return qrcircles.Say("checks.no_answer", d), err
		}
		return qrcircles.Say("checks.value", d), nil
	}}
}

// Migrations checks that every migration this binary knows has been applied, as
// qrcircles migrate status would list them.
func Migrations(db Migrator) Check {
	return Check{Name: "migrations", Run: func(ctx context.Context) (qrcircles.Words, error) {
		// Without a database, the status would read as every migration pending.
		if err := db.Ping(ctx); err != nil {
			return qrcircles.Say("checks.db_down"), err
		}
		ms, err := db.MigrationStatus(ctx)
		if err != nil {
			return qrcircles.Say("checks.unreadable"), err
		}
		var pending []string
		for _, m := range ms {
			if m.AppliedAt.IsZero() {
				pending = append(pending, strconv.Itoa(m.Version))
			}
		}
		if len(pending) > 0 {
			list := strings.Join(pending, ", ")
			return qrcircles.Say("checks.pending", len(pending), list, "qrcircles migrate up"), fmt.Errorf("migrations pending: %s", list)
		}
		return qrcircles.Say("checks.applied", len(ms)), nil
	}}
}

// LiveEvents checks that the push hub runs and, on PostgreSQL (listens), that it holds its
// LISTEN connection, through which it hears the other instances' events.
func LiveEvents(hub Hub, listens bool) Check {
	return Check{Name: "live_events", Run: func(context.Context) (qrcircles.Words, error) {
		switch {
		case !hub.Running():
			return qrcircles.Say("checks.hub_stopped"), errors.New("push hub not running")
		case !listens:
			return qrcircles.Say("checks.hub_sqlite"), nil
		case hub.ListenPID() == 0:
			return qrcircles.Say("checks.hub_listen_down"), errors.New("no LISTEN connection")
		}
		return qrcircles.Say("checks.hub_ok"), nil
	}}
}

// SMS checks that an SMS provider is configured and names it; the credentials stay out.
// A server that sends no codes (used false: the resource role) passes.
func SMS(provider string, used bool) Check {
	return Check{Name: "sms", Run: func(context.Context) (qrcircles.Words, error) {
		switch {
		case !used:
			return qrcircles.Say("checks.sms_unused"), nil
		case provider == "":
			return qrcircles.Say("checks.sms_none"), errors.New("no SMS provider")
		}
		return qrcircles.Say("checks.value", provider), nil
	}}
}
