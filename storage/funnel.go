package storage

import (
	"context"

	"gorm.io/gorm"

	"qrcircles"
)

// Steps of the join funnel that only a counter can know: nothing else is stored when a
// landing page is opened, or when a browser comes back signed in from a scan.
const (
	FunnelOpened   = "opened"
	FunnelSignedIn = "signed_in"
)

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

// Funnel is how far the people who met a circle's code got.
type Funnel struct {
	Opened, SignedIn int64 // the counters
	Requests         int64 // everyone who asked to join, whatever became of it
	Joined           int64 // admitted, whether or not still a member
	Waiting          int64
	Refused          int64 // refused by the rules or declined by the organizer
	Reasons          map[qrcircles.Reason]int64
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
		f.add(r.Status, parseReasons(r.Reasons))
	}
	return f, nil
}

func (f *Funnel) add(status string, reasons []qrcircles.Reason) {
	f.Requests++
	switch status {
	case RequestAdmitted, RequestLeft, RequestRemoved:
		f.Joined++
		return
	case RequestWaiting:
		f.Waiting++
	default:
		f.Refused++
	}
	for _, r := range reasons {
		f.Reasons[r]++
	}
}
