package push

import (
	"context"
	"net"
	"sync"
	"time"
)

// A stream over HTTP/1.1 is detached from its handler once it is set up: the handler
// hijacks the connection, writes the head and the replay, hands the connection to the hub
// and returns. An idle stream then costs a socket and a Subscription, not a goroutine with
// its stack, a background reader and net/http's buffers (about 30 KB). A few writer
// goroutines write to the streams that have something to send; a client that does not take
// a write within detachedWriteTimeout is dropped and reconnects with Last-Event-ID.
const detachedWriteTimeout = 2 * time.Second

// writeQueue holds the detached streams that have events or a heartbeat waiting.
type writeQueue struct {
	mu   sync.Mutex
	subs []*Subscription
	wake chan struct{} // 1 slot
}

func (q *writeQueue) add(s *Subscription) {
	q.mu.Lock()
	q.subs = append(q.subs, s)
	q.mu.Unlock()
	signal(q.wake)
}

// pop waits for a stream; nil when ctx ends.
func (q *writeQueue) pop(ctx context.Context) *Subscription {
	for {
		q.mu.Lock()
		if n := len(q.subs); n > 0 {
			s := q.subs[0]
			q.subs[0] = nil
			q.subs = q.subs[1:]
			if n > 1 {
				signal(q.wake) // wake another writer for the rest
			} else {
				q.subs = nil
			}
			q.mu.Unlock()
			return s
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			return nil
		}
	}
}

// enqueueLocked queues the stream unless it is queued or being written; needs s.mu.
func (s *Subscription) enqueueLocked() {
	if !s.queued && !s.ended {
		s.queued = true
		s.q.add(s)
	}
}

// attach makes s a detached stream writing to conn; the client has every event up to last.
func (h *Hub) attach(s *Subscription, conn net.Conn, last int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		conn.Close()
		return
	}
	s.conn, s.q, s.last = conn, &h.queue, last
	if len(s.pending) > 0 {
		s.enqueueLocked()
	}
}

// heartbeatSlots spread the heartbeats of the detached streams over the heartbeat period:
// each tick of Heartbeat/heartbeatSlots beats one slot's streams. Beating every stream at
// one tick would queue a write for each at once, and an event arriving then would wait
// behind all of them (a tenth of a second at ten thousand streams, every 15 s).
const heartbeatSlots = 16

// heartbeat queues a comment line for every detached stream of the slot.
func (h *Hub) heartbeat(slot int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.byUser {
		for s := range set {
			if s.slot != slot {
				continue
			}
			s.mu.Lock()
			if s.conn != nil {
				s.beat = true
				s.enqueueLocked()
			}
			s.mu.Unlock()
		}
	}
}

func (h *Hub) writer(ctx context.Context) {
	for s := h.queue.pop(ctx); s != nil; s = h.queue.pop(ctx) {
		h.write(ctx, s)
	}
}

// write sends what waits for one detached stream. The stream stays marked as queued while
// it is written, so that no other writer writes to it meanwhile and reorders its events.
func (h *Hub) write(ctx context.Context, s *Subscription) {
	for {
		s.mu.Lock()
		evs, beat := s.pending, s.beat
		s.pending, s.beat = nil, false
		if s.ended || (len(evs) == 0 && !beat) {
			s.queued = false
			s.mu.Unlock()
			return
		}
		conn, last := s.conn, s.last
		s.mu.Unlock()

		var buf []byte
		if len(evs) == 1 && !beat {
			buf = h.textOf(ctx, evs[0], last, s) // the common case: written as shared, no copy
		} else {
			buf = h.appendDeliveries(ctx, nil, evs, last, s)
			if beat {
				buf = append(buf, heartbeat...)
			}
		}
		if len(buf) > 0 {
			_ = conn.SetWriteDeadline(time.Now().Add(detachedWriteTimeout))
			if _, err := conn.Write(buf); err != nil {
				h.Unsubscribe(s) // gone or too slow: it reconnects with Last-Event-ID
				return
			}
		}
	}
}
