package storage

import (
	"context"

	"gorm.io/gorm"

	"qrcircles"
)

// The funnel's counted steps and the funnel itself are the domain's (qrcircles.Funnel).
const (
	FunnelOpened   = qrcircles.FunnelOpened
	FunnelSignedIn = qrcircles.FunnelSignedIn
)

// Funnel is qrcircles.Funnel.
type Funnel = qrcircles.Funnel

func migrateFunnel(tx *gorm.DB, _ string) error {
	return execAll(tx, `CREATE TABLE circle_funnel (
			circle_id bigint NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
			step varchar(16) NOT NULL,
			n bigint NOT NULL DEFAULT 0,
			PRIMARY KEY (circle_id, step))`)
}

// CountFunnel adds one to a funnel step of the circle: one statement, safe under concurrency.
func (db *DB) CountFunnel(ctx context.Context, circleID int64, step string) error {
	err := db.conn(ctx).Exec(`INSERT INTO circle_funnel (circle_id, step, n) VALUES (?, ?, 1)
		ON CONFLICT (circle_id, step) DO UPDATE SET n = circle_funnel.n + 1`, circleID, step).Error
	return wrapErr("counting funnel step", err)
}

// FunnelOf reads a circle's funnel: the counters, and the rest from its join requests, with
// the reasons of the requests that did not end in membership counted.
func (db *DB) FunnelOf(ctx context.Context, circleID int64) (Funnel, error) {
	f := Funnel{Reasons: map[qrcircles.Reason]int64{}}
	var steps []struct {
		Step string
		N    int64
	}
	if err := db.conn(ctx).Raw(`SELECT step, n FROM circle_funnel WHERE circle_id = ?`, circleID).Scan(&steps).Error; err != nil {
		return f, wrapErr("reading funnel", err)
	}
	for _, s := range steps {
		switch s.Step {
		case FunnelOpened:
			f.Opened = s.N
		case FunnelSignedIn:
			f.SignedIn = s.N
		}
	}
	var rows []joinRequestRow
	if err := db.conn(ctx).Select("status", "reasons").Where("circle_id = ?", circleID).Find(&rows).Error; err != nil {
		return f, wrapErr("reading funnel", err)
	}
	for _, r := range rows {
		f.Count(r.Status, parseReasons(r.Reasons))
	}
	return f, nil
}
