package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

type eventRow struct { // json: as join_guessed reads events (json_to_recordset)
	ID          int64     `gorm:"primaryKey" json:"id"`
	RecipientID *int64    `json:"recipient_id"`
	CircleID    *int64    `json:"circle_id"`
	SubjectID   *int64    `json:"subject_id"`
	Type        string    `json:"type"`
	Payload     string    `json:"payload"`
	CreatedAt   time.Time `json:"created_at"`
}

func (eventRow) TableName() string { return "events" }

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func fromID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

func (r eventRow) event() Event {
	return Event{ID: r.ID, RecipientID: fromID(r.RecipientID), CircleID: fromID(r.CircleID), SubjectID: fromID(r.SubjectID),
		Type: r.Type, Payload: []byte(r.Payload), CreatedAt: r.CreatedAt.UTC()}
}

func toEventRow(e Event) (eventRow, error) {
	if (e.RecipientID == 0) == (e.CircleID == 0) {
		return eventRow{}, fmt.Errorf("event %q: set exactly one of recipient and circle", e.Type)
	}
	if e.Type == "" || len(e.Type) > 40 {
		return eventRow{}, fmt.Errorf("event type %q: must be 1 to 40 bytes", e.Type)
	}
	payload := string(e.Payload)
	if payload == "" {
		payload = "{}"
	} else if !json.Valid(e.Payload) {
		return eventRow{}, fmt.Errorf("event %q: payload is not JSON", e.Type)
	}
	at := e.CreatedAt.UTC()
	if e.CreatedAt.IsZero() {
		at = time.Now().UTC()
	}
	return eventRow{RecipientID: optID(e.RecipientID), CircleID: optID(e.CircleID), SubjectID: optID(e.SubjectID),
		Type: e.Type, Payload: payload, CreatedAt: at}, nil
}

// AppendEvents writes events to the log in the caller's transaction (if ctx carries one), so
// that an event exists exactly when the change it reports does, and sets their IDs and times
// in evs. Call it as the last step before commit: a transaction that rolls back after it
// leaves a gap in the IDs that the push hub waits out (see push.Hub).
func (db *DB) AppendEvents(ctx context.Context, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	rows := make([]eventRow, len(evs))
	for i, e := range evs {
		r, err := toEventRow(e)
		if err != nil {
			return err
		}
		rows[i] = r
	}
	if err := db.conn(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("appending events: %w", err)
	}
	for i := range evs {
		evs[i].ID, evs[i].CreatedAt = rows[i].ID, rows[i].CreatedAt
	}
	return nil
}

// insertEventsFrom is one INSERT of the events, for a statement that does more (see
// saveRequest): it writes them once for each row of src, the name of a data-modifying WITH
// query that returns one row exactly when the change the events report was made.
func insertEventsFrom(evs []Event, src string) (string, []any, error) {
	rows := make([]string, 0, len(evs))
	args := make([]any, 0, 6*len(evs))
	for _, e := range evs {
		r, err := toEventRow(e)
		if err != nil {
			return "", nil, err
		}
		rows = append(rows, "SELECT CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint), ?, ?, CAST(? AS timestamptz) FROM "+src)
		args = append(args, r.RecipientID, r.CircleID, r.SubjectID, r.Type, r.Payload, r.CreatedAt)
	}
	return "INSERT INTO events (recipient_id, circle_id, subject_id, type, payload, created_at) " + strings.Join(rows, " UNION ALL "), args, nil
}

// EventsAfter returns up to limit events of every recipient with an ID above afterID, in ID
// order: what the push hub fans out.
func (db *DB) EventsAfter(ctx context.Context, afterID int64, limit int) ([]Event, error) {
	var rows []eventRow
	err := db.conn(ctx).Where("id > ?", afterID).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("reading events: %w", err)
	}
	return toEvents(rows), nil
}

// EventsForUser returns up to limit events with afterID < ID <= throughID that go to the user:
// those addressed to them and those of the circles they belong to or organize now. It is
// the replay for a client that reconnects; throughID is what the push hub has confirmed, so
// that a transaction committing late with a lower ID is delivered live and not skipped.
// The person's circles are read first, then the events by the keys they are stored under
// (recipient, circle): no query joins one circle's rows with another's, as a database
// distributed by circle requires (docs/scaling.md).
func (db *DB) EventsForUser(ctx context.Context, userID, afterID, throughID int64, limit int) ([]Event, error) {
	circles, err := db.EventCircles(ctx, userID)
	if err != nil {
		return nil, err
	}
	return db.eventsOf(ctx, userID, circles, afterID, throughID, limit)
}

// eventsOf is EventsForUser once the user's circles are known.
func (db *DB) eventsOf(ctx context.Context, userID int64, circles []int64, afterID, throughID int64, limit int) ([]Event, error) {
	var rows []eventRow
	err := db.conn(ctx).Where("id > ? AND id <= ? AND (recipient_id = ? OR circle_id IN ?)", afterID, throughID, userID, circles).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("reading events of user %d: %w", userID, err)
	}
	return toEvents(rows), nil
}

func toEvents(rows []eventRow) []Event {
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out
}

// LastEventID returns the highest event ID, 0 when the log is empty.
func (db *DB) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := db.conn(ctx).Raw(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("last event: %w", err)
	}
	return id, nil
}

// EventBounds is what the event log can vouch for when a client resumes from an ID.
type EventBounds struct {
	Oldest int64 // the oldest event held; Newest+1 when the log holds none
	Newest int64 // the newest event held or deleted: no higher ID was ever delivered
	// Pruned is the highest ID DeleteEventsBefore has deleted (0: none). Every deleted event
	// is at or below it, so a client that has everything up to Pruned has lost nothing, and
	// one below it may have. Gaps left by rolled-back transactions do not count.
	Pruned int64
}

// prunedKey is the system setting that records EventBounds.Pruned.
const prunedKey = "events.pruned_through"

// EventBounds reads the log's bounds in one query. Each bound is its own subquery: SQLite
// reads MIN and MAX from the index only when each stands alone.
func (db *DB) EventBounds(ctx context.Context) (EventBounds, error) {
	var lo, hi, pruned sql.NullInt64
	err := db.conn(ctx).Raw(`SELECT (SELECT MIN(id) FROM events), (SELECT MAX(id) FROM events),
		(SELECT CAST(value AS bigint) FROM system_settings WHERE key = ?)`, prunedKey).Row().Scan(&lo, &hi, &pruned)
	if err != nil {
		return EventBounds{}, fmt.Errorf("event log bounds: %w", markUnavailable(err))
	}
	b := EventBounds{Pruned: pruned.Int64, Newest: max(hi.Int64, pruned.Int64)}
	b.Oldest = b.Newest + 1
	if lo.Valid {
		b.Oldest = lo.Int64
	}
	return b, nil
}

// EventIDBefore returns the ID of the newest event written before t, 0 when there is none.
// A hub starts from there, so a transaction still open when it started is not missed.
func (db *DB) EventIDBefore(ctx context.Context, t time.Time) (int64, error) {
	var ids []int64
	err := db.conn(ctx).Raw(`SELECT id FROM events WHERE created_at < ? ORDER BY created_at DESC, id DESC LIMIT 1`, t.UTC()).
		Scan(&ids).Error
	if err != nil {
		return 0, fmt.Errorf("event before %s: %w", t.Format(time.RFC3339), err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// DeleteEventsBefore drops the events written before t and says how many. In the same
// transaction it raises EventBounds.Pruned to the highest ID it drops, never lowering it, so
// that instances pruning at once agree and no reader sees an event gone unrecorded.
func (db *DB) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		err := db.conn(ctx).Exec(`INSERT INTO system_settings (key, value, updated_at)
			VALUES (?, (SELECT CAST(COALESCE(MAX(id), 0) AS text) FROM events WHERE created_at < ?), ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
			WHERE CAST(system_settings.value AS bigint) < CAST(excluded.value AS bigint)`,
			prunedKey, t.UTC(), time.Now().UTC()).Error
		if err != nil {
			return err
		}
		res := db.conn(ctx).Exec(`DELETE FROM events WHERE created_at < ?
			AND id <= (SELECT CAST(value AS bigint) FROM system_settings WHERE key = ?)`, t.UTC(), prunedKey)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("deleting old events: %w", err)
	}
	return n, nil
}

// EventCircles returns the circles whose events the user receives: those they belong to and
// those they organize.
func (db *DB) EventCircles(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Raw(`SELECT circle_id FROM memberships WHERE user_id = ? UNION SELECT id FROM circles WHERE owner_id = ?`,
		userID, userID).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("circles of user %d: %w", userID, err)
	}
	return ids, nil
}

// CircleAudience returns who receives a circle's events now: its members and its organizer.
func (db *DB) CircleAudience(ctx context.Context, circleID int64) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Raw(`SELECT user_id FROM memberships WHERE circle_id = ? UNION SELECT owner_id FROM circles WHERE id = ?`,
		circleID, circleID).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("audience of circle %d: %w", circleID, err)
	}
	return ids, nil
}

// EventsChannel is the PostgreSQL channel that says "the event log has new rows".
const EventsChannel = "qrc_events"

// ErrNoListen says that the database cannot LISTEN: SQLite, where the push is in-process.
var ErrNoListen = errors.New("LISTEN/NOTIFY needs PostgreSQL")

// NotifyEvents tells every instance listening on PostgreSQL that the log has new rows. Call
// it after the commit, never inside the transaction: a NOTIFY takes a lock that serializes
// every committing transaction, and a listener woken before the commit would find nothing.
// It is a no-op on SQLite.
func (db *DB) NotifyEvents(ctx context.Context) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return errors.New("NotifyEvents inside a transaction: call it after the commit")
	}
	if db.dialect != Postgres {
		return nil
	}
	if err := db.gorm.WithContext(ctx).Exec(`SELECT pg_notify(?, '')`, EventsChannel).Error; err != nil {
		return fmt.Errorf("notifying event listeners: %w", err)
	}
	return nil
}

// EventListener is one dedicated PostgreSQL connection listening on EventsChannel.
type EventListener struct {
	conn *pgx.Conn
}

// ListenEvents opens a connection of its own (not from the pool) and listens on
// EventsChannel. On SQLite it returns ErrNoListen.
func (db *DB) ListenEvents(ctx context.Context) (*EventListener, error) {
	if db.dialect != Postgres {
		return nil, ErrNoListen
	}
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return nil, fmt.Errorf("listen connection: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+EventsChannel); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("listen: %w", err)
	}
	return &EventListener{conn: conn}, nil
}

// Wait blocks until a notification arrives, ctx ends or the connection fails.
func (l *EventListener) Wait(ctx context.Context) error {
	if _, err := l.conn.WaitForNotification(ctx); err != nil {
		return fmt.Errorf("waiting for notifications: %w", err)
	}
	return nil
}

// PID is the server process of the connection, for pg_terminate_backend in tests.
func (l *EventListener) PID() uint32 { return l.conn.PgConn().PID() }

// Close closes the connection.
func (l *EventListener) Close() error { return l.conn.Close(context.Background()) }
