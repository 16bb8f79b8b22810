package push

import (
	"context"
	"encoding/json"

	"qrcircles/storage"
)

// Reset is the type of the event that opens a resumed stream whose Last-Event-ID the log
// cannot vouch for: the client must fetch its state (members, cards, requests) afresh.
const Reset = "reset"

// Why a stream starts with a reset.
const (
	// ResetHistoryExpired: events after the client's Last-Event-ID have left the log (it is
	// kept 25 hours). What the log still holds is replayed after the reset.
	ResetHistoryExpired = "history_expired"
	// ResetUnknownID: the log never handed out the client's Last-Event-ID (one from before a
	// database reset, or made up). Nothing is replayed: the stream goes on with new events.
	ResetUnknownID = "unknown_id"
)

// resetData is the payload of a reset event.
type resetData struct {
	Reason   string `json:"reason"`
	OldestID int64  `json:"oldest_id"` // the oldest event the log holds; newest_id+1 when none
	NewestID int64  `json:"newest_id"`
}

// resetReason says why a client that has every event up to last cannot simply be replayed
// to, or "" when it can. Last-Event-ID N means "I have everything up to N", so nothing is
// lost while every deleted event is at or below N: the oldest event held may be N+1, or
// further on across a gap that a rolled-back transaction left. Last-Event-ID 0 asks for the
// whole history, which is incomplete once the cleanup has deleted anything.
func resetReason(last int64, b storage.EventBounds) string {
	switch {
	case last > b.Newest:
		return ResetUnknownID
	case last < b.Pruned:
		return ResetHistoryExpired
	}
	return ""
}

// resume starts the stream of a client that has every event up to last: a reset first when
// the log cannot vouch for last, then the replay up to through (the subscription's From). It
// returns what the client is then taken to have, for the live part of the stream.
//
// The reset carries an id, so that a client that reconnects after it is not reset again:
// Pruned after expired history (the replay follows), through after an unknown ID (the
// subscription has every event after it).
func (h *Hub) resume(ctx context.Context, sub *Subscription, last int64, write func([]byte) error) (int64, error) {
	through := sub.From
	b, err := h.o.Log.EventBounds(ctx)
	if err != nil {
		return 0, err
	}
	reason := resetReason(last, b)
	if reason == "" {
		return last, h.replay(ctx, sub, last, through, write)
	}
	id := b.Pruned
	if reason == ResetUnknownID {
		id, last = through, through
	}
	data, _ := json.Marshal(resetData{Reason: reason, OldestID: b.Oldest, NewestID: b.Newest}) // ints and a string
	if err := write(appendSSE(nil, id, Reset, data)); err != nil {
		return 0, err
	}
	return last, h.replay(ctx, sub, last, through, write)
}
