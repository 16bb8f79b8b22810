package push

import (
	"context"
	"sync"
	"time"

	"qrcircles/storage"
)

// Filter prepares what each recipient of one event gets (for card.updated, only the fields
// that recipient may see). It runs once per event on an instance with recipients for it —
// on the writer that first needs it, never on the hub's loop — so it may read the database,
// and what it reads is shared by every recipient: an edit in a circle of ten thousand costs
// its few queries once. IsReplay(ctx) says it serves one client catching up from the log.
// It must not modify ev.Payload.
type Filter func(ctx context.Context, ev storage.Event) View

// View says what one recipient gets of the event its Filter prepared: a payload, or nil for
// nothing. It runs for every recipient, from several writers at once, so it must be cheap
// and safe for concurrent use; recipients who get the same should get the same *Payload.
type View func(userID int64) *Payload

// Payload is one version of an event's payload. Its stream text is encoded once, however
// many recipients get it, and written to each as it is.
type Payload struct {
	Data []byte
	once sync.Once
	wire []byte
}

// NewPayload is a version of an event's payload.
func NewPayload(data []byte) *Payload { return &Payload{Data: data} }

// Same is the View of an event whose every recipient gets data.
func Same(data []byte) View {
	p := NewPayload(data)
	return func(int64) *Payload { return p }
}

// text is the payload as the stream carries it for ev.
func (p *Payload) text(ev *storage.Event) []byte {
	p.once.Do(func() { p.wire = appendSSE(nil, ev.ID, ev.Type, p.Data) })
	return p.wire
}

// delivery is an event on its way to this instance's subscribers; they share its View,
// prepared by the first writer that needs it.
type delivery struct {
	ev   *storage.Event
	bit  typeSet // its type's, 0 for a type no token's scope covers
	once sync.Once
	view View
}

// textFor is the event's stream text for userID, or nil when the filter gives them nothing.
// The text is shared: it must not be modified.
func (h *Hub) textFor(ctx context.Context, d *delivery, userID int64) []byte {
	d.once.Do(func() {
		// Prepared for every recipient: one stream going away must not fail the others.
		d.view = h.prepare(context.WithoutCancel(ctx), d.ev)
	})
	p := d.view(userID)
	if p == nil {
		return nil
	}
	if h.o.Lag != nil && !IsReplay(ctx) {
		h.o.Lag(time.Since(d.ev.CreatedAt))
	}
	return p.text(d.ev)
}

// prepare runs the filter for one event.
func (h *Hub) prepare(ctx context.Context, ev *storage.Event) View {
	if h.o.Filter == nil {
		return Same(ev.Payload)
	}
	return h.o.Filter(ctx, *ev)
}
