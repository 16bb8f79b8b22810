package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"qrcircles"
)

// migrateAudit creates the audit log of security-relevant events. It has no foreign keys: an
// entry outlives the user or client it names.
func migrateAudit(tx *gorm.DB, dialect string) error {
	return execAll(tx,
		`CREATE TABLE audit_log (
			id `+serialKey(dialect)+`,
			at `+timestamp(dialect)+` NOT NULL,
			actor_id bigint,
			action varchar(60) NOT NULL,
			target text NOT NULL DEFAULT '',
			detail text NOT NULL DEFAULT '{}',
			ip varchar(64) NOT NULL DEFAULT '')`,
		`CREATE INDEX audit_log_at ON audit_log (at)`,
		`CREATE INDEX audit_log_action ON audit_log (action, at)`,
	)
}

type auditRow struct {
	ID      int64 `gorm:"primaryKey"`
	At      time.Time
	ActorID *int64
	Action  string
	Target  string
	Detail  string
	IP      string `gorm:"column:ip"`
}

func (auditRow) TableName() string { return "audit_log" }

// AuditQuery selects audit entries; zero fields do not filter.
type AuditQuery struct {
	Since, Until time.Time // Since inclusive, Until exclusive
	Action       string
	ActorID      int64
	Limit        int // newest first; DefaultAuditLimit when 0
}

// DefaultAuditLimit is how many entries AuditLog returns when the query names no limit.
const DefaultAuditLimit = 100

// AddAudit records an entry. It goes through the context's transaction, if any, so that the
// entry is written if and only if the change it records is.
func (db *DB) AddAudit(ctx context.Context, e qrcircles.AuditEntry) error {
	if e.Action == "" {
		return errors.New("audit entry: no action")
	}
	if e.Detail == "" {
		e.Detail = "{}"
	}
	if !json.Valid([]byte(e.Detail)) {
		return fmt.Errorf("audit entry %s: detail is not JSON", e.Action)
	}
	row := auditRow{At: otpTime(e.At), Action: e.Action, Target: e.Target, Detail: e.Detail, IP: e.IP}
	if e.ActorID != 0 {
		row.ActorID = &e.ActorID
	}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("audit entry %s: %w", e.Action, err)
	}
	return nil
}

// DeleteAuditBefore deletes the audit entries recorded before the given time.
func (db *DB) DeleteAuditBefore(ctx context.Context, before time.Time) (int64, error) {
	res := db.conn(ctx).Exec(`DELETE FROM audit_log WHERE at < ?`, otpTime(before))
	if res.Error != nil {
		return 0, fmt.Errorf("deleting old audit entries: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// AuditLog returns the entries matching q, newest first.
func (db *DB) AuditLog(ctx context.Context, q AuditQuery) ([]qrcircles.AuditEntry, error) {
	tx := db.conn(ctx).Model(&auditRow{})
	if !q.Since.IsZero() {
		tx = tx.Where("at >= ?", otpTime(q.Since))
	}
	if !q.Until.IsZero() {
		tx = tx.Where("at < ?", otpTime(q.Until))
	}
	if q.Action != "" {
		tx = tx.Where("action = ?", q.Action)
	}
	if q.ActorID != 0 {
		tx = tx.Where("actor_id = ?", q.ActorID)
	}
	if q.Limit <= 0 {
		q.Limit = DefaultAuditLimit
	}
	var rows []auditRow
	if err := tx.Order("at DESC, id DESC").Limit(q.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	out := make([]qrcircles.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = qrcircles.AuditEntry{ID: r.ID, At: r.At.UTC(), Action: r.Action, Target: r.Target, Detail: r.Detail, IP: r.IP}
		if r.ActorID != nil {
			out[i].ActorID = *r.ActorID
		}
	}
	return out, nil
}
