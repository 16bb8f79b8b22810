package storage

import (
	"context"
	"fmt"
	"time"
)

// PostAnnouncement stores a, setting its ID.
func (db *DB) PostAnnouncement(ctx context.Context, a *Announcement) error {
	a.CreatedAt = a.CreatedAt.UTC()
	return wrapErr("storing announcement", db.conn(ctx).Table("announcements").Create(a).Error)
}

// Announcements lists a circle's announcements newest first: up to limit with an ID below
// beforeID (0: from the newest).
func (db *DB) Announcements(ctx context.Context, circleID, beforeID int64, limit int) ([]Announcement, error) {
	var out []Announcement
	err := db.conn(ctx).Table("announcements").Where("circle_id = ? AND (? = 0 OR id < ?)", circleID, beforeID, beforeID).
		Order("id DESC").Limit(limit).Find(&out).Error
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, wrapErr("announcements", err)
}

// SendMessage stores m, setting its ID.
func (db *DB) SendMessage(ctx context.Context, m *Message) error {
	m.CreatedAt = m.CreatedAt.UTC()
	return wrapErr("storing message", db.conn(ctx).Table("messages").Create(m).Error)
}

// Messages lists the messages between a and b, both ways, newest first: up to limit with an
// ID below beforeID (0: from the newest).
func (db *DB) Messages(ctx context.Context, a, b, beforeID int64, limit int) ([]Message, error) {
	var out []Message
	err := db.conn(ctx).Table("messages").Where("((from_id = ? AND to_id = ?) OR (from_id = ? AND to_id = ?)) AND (? = 0 OR id < ?)",
		a, b, b, a, beforeID, beforeID).Order("id DESC").Limit(limit).Find(&out).Error
	for i := range out {
		out[i] = messageUTC(out[i])
	}
	return out, wrapErr("messages", err)
}

// MarkRead marks what from sent to to as read at now, up to and including throughID.
func (db *DB) MarkRead(ctx context.Context, toID, fromID, throughID int64, now time.Time) error {
	err := db.conn(ctx).Table("messages").Where("to_id = ? AND from_id = ? AND id <= ? AND read_at IS NULL", toID, fromID, throughID).
		Update("read_at", now.UTC()).Error
	return wrapErr("marking messages read", err)
}

type conversationRow struct {
	Message
	WithID int64
	Unread int
}

// Conversations lists the people userID exchanged messages with, with the latest message of
// each, the most recent conversation first: up to limit whose latest message has an ID below
// beforeID (0: from the most recent).
func (db *DB) Conversations(ctx context.Context, userID, beforeID int64, limit int) ([]Conversation, error) {
	var rows []conversationRow
	err := db.conn(ctx).Raw(`SELECT m.*, l.with_id,
			(SELECT COUNT(*) FROM messages u WHERE u.to_id = ? AND u.from_id = l.with_id AND u.read_at IS NULL) AS unread
		FROM (SELECT with_id, MAX(id) AS last_id FROM (
				SELECT CASE WHEN from_id = ? THEN to_id ELSE from_id END AS with_id, id
				FROM messages WHERE from_id = ? OR to_id = ?) mine
			GROUP BY with_id) l
		JOIN messages m ON m.id = l.last_id
		WHERE ? = 0 OR m.id < ?
		ORDER BY m.id DESC LIMIT ?`,
		userID, userID, userID, userID, beforeID, beforeID, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("conversations of user %d: %w", userID, err)
	}
	out := make([]Conversation, len(rows))
	for i, r := range rows {
		out[i] = Conversation{With: r.WithID, Last: messageUTC(r.Message), Unread: r.Unread}
	}
	return out, nil
}

func messageUTC(m Message) Message {
	m.CreatedAt = m.CreatedAt.UTC()
	if m.ReadAt != nil {
		t := m.ReadAt.UTC()
		m.ReadAt = &t
	}
	return m
}

// UnreadCount is how many messages sent to userID are unread, from everyone.
func (db *DB) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := db.conn(ctx).Table("messages").Where("to_id = ? AND read_at IS NULL", userID).Count(&n).Error
	return int(n), wrapErr("counting unread messages", err)
}
