package health_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/health"
	"qrcircles/storage"
)

type fakeDB struct {
	dialect string
	pingErr error
	ms      []storage.MigrationStatus
	msErr   error
}

func (f fakeDB) Ping(context.Context) error { return f.pingErr }
func (f fakeDB) Dialect() string            { return f.dialect }
func (f fakeDB) MigrationStatus(context.Context) ([]storage.MigrationStatus, error) {
	return f.ms, f.msErr
}

type fakeHub struct {
	running bool
	pid     uint32
}

func (f fakeHub) Running() bool     { return f.running }
func (f fakeHub) ListenPID() uint32 { return f.pid }

func TestHealthChecks(t *testing.T) {
	down := errors.New("dial tcp db.internal:5432: connection refused")
	applied := storage.MigrationStatus{Version: 1, Name: "users", AppliedAt: time.Now()}
	tests := []struct {
		name   string
		check  health.Check
		ok     bool
		detail string // in English
	}{
		{"database up", health.Database(fakeDB{dialect: "postgres"}), true, "postgres"},
		{"database down", health.Database(fakeDB{dialect: "postgres", pingErr: down}), false, "postgres: no answer"},
		{"migrations done", health.Migrations(fakeDB{ms: []storage.MigrationStatus{applied, applied}}), true, "2 applied, none pending"},
		{"migrations pending", health.Migrations(fakeDB{ms: []storage.MigrationStatus{applied, {Version: 18}, {Version: 19}}}), false,
			"2 pending (18, 19): run qrcircles migrate up"},
		{"migrations without database", health.Migrations(fakeDB{pingErr: down}), false, "cannot read: the database does not answer"},
		{"migrations unreadable", health.Migrations(fakeDB{msErr: down}), false, "cannot read the applied migrations"},
		{"hub stopped", health.LiveEvents(fakeHub{}, false), false, "not running: starting, or stopped"},
		{"hub on SQLite", health.LiveEvents(fakeHub{running: true}, false), true, "running; SQLite needs no LISTEN"},
		{"hub without LISTEN", health.LiveEvents(fakeHub{running: true}, true), false, "running, but the LISTEN connection is down; reconnecting"},
		{"hub listening", health.LiveEvents(fakeHub{running: true, pid: 42}, true), true, "running, LISTEN connected"},
		{"sms", health.SMS("twilio-verify", true), true, "twilio-verify"},
		{"sms unused", health.SMS("", false), true, "not used by this role"},
		{"sms missing", health.SMS("", true), false, "no provider configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			said, err := tt.check.Run(context.Background())
			if (err == nil) != tt.ok {
				t.Errorf("err %v, want ok=%v", err, tt.ok)
			}
			if en := said.English(); en != tt.detail {
				t.Errorf("detail %q, want %q", en, tt.detail)
			}
			if _, ok := qrcircles.Phrase(said.Key); !ok {
				t.Errorf("detail %q has no phrase", said.Key)
			}
			if zh := said.In(qrcircles.LangChinese); strings.Contains(zh, "db.internal") || zh == said.English() && said.Key != "checks.value" {
				t.Errorf("Chinese detail %q", zh)
			}
		})
	}
}
