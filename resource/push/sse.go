package push

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/server"
)

// Authenticate says who is asking; when it returns false it has answered the request itself
// (or the stream answers 401).
type Authenticate func(c *gin.Context) (userID int64, ok bool)

// CirclesOf lists the circles whose events the user receives (member or organizer).
type CirclesOf func(ctx context.Context, userID int64) ([]int64, error)

// streamWriteTimeout bounds each write of an attached stream: one that stops reading is
// dropped.
const streamWriteTimeout = 10 * time.Second

const (
	retryField = "retry: 2000\n" // reconnect 2 s after a drop
	heartbeat  = ": heartbeat\n\n"
)

// Handler serves GET /api/v1/events: a Server-Sent Events stream of the user's events. A
// client that sends Last-Event-ID (or ?last_event_id=) first gets what it missed from the
// log, after a reset event when the log cannot vouch for that ID (see resume). It subscribes
// before it replays, replays only up to the hub's confirmed cursor, and then streams what
// the subscription got after that cursor: no event twice, none missed.
// Over HTTP/1.1 the connection is then detached (see detached.go); otherwise the handler
// goroutine streams until the client leaves or the hub closes.
func (h *Hub) Handler(auth Authenticate, circlesOf CirclesOf) gin.HandlerFunc {
	return func(c *gin.Context) {
		userID, ok := auth(c)
		if !ok {
			if !c.Writer.Written() {
				server.Problem(c, qrcircles.Fail(qrcircles.EUnauthorized, "api.sign_in"))
			}
			c.Abort()
			return
		}
		last, replay, err := lastEventID(c)
		if err != nil {
			server.Problem(c, err)
			return
		}
		ctx := c.Request.Context()
		sub, err := h.subscribe(ctx, userID, circlesOf, only(c))
		if err != nil {
			server.Problem(c, err)
			return
		}
		setHeaders(c.Writer.Header())
		if !h.o.NoDetach {
			if conn, _, err := http.NewResponseController(c.Writer).Hijack(); err == nil {
				h.detach(ctx, c, sub, conn, last, replay)
				return
			}
		}
		defer h.Unsubscribe(sub)
		s := &stream{hub: h, c: c, rc: http.NewResponseController(c.Writer)}
		c.Status(http.StatusOK)
		s.buf = append(s.buf, opening(replay, sub.From)...)
		if s.flush() != nil {
			return
		}
		if replay {
			if last, err = h.resume(ctx, sub, last, s.write); err != nil {
				c.Error(err)
				return
			}
		}
		s.live(ctx, sub, last)
	}
}

// opening is the stream's first block: how soon to reconnect, and, on a first connection,
// where the live stream starts as the last event ID. Browsers keep that ID, so a client that
// drops before any event came reconnects with it and misses nothing; without it, it would
// reconnect as new and lose what happened in between. A resumed stream keeps the client's own
// ID (the replay and the reset carry theirs).
func opening(replay bool, from int64) string {
	if replay {
		return retryField + "\n"
	}
	return retryField + "id: " + strconv.FormatInt(from, 10) + "\n\n"
}

func setHeaders(h http.Header) {
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
}

func (h *Hub) subscribe(ctx context.Context, userID int64, circlesOf CirclesOf, allow func(typ string) bool) (*Subscription, error) {
	select {
	case <-h.ready:
	case <-h.done:
		return nil, qrcircles.Fail(qrcircles.EUnavailable, "api.shutting_down")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	circles, err := circlesOf(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("circles of user %d: %w", userID, err)
	}
	return h.subscribeOnly(userID, circles, allow), nil
}

// lastEventID reads where the client stopped; replay is false for a first connection.
func lastEventID(c *gin.Context) (id int64, replay bool, err error) {
	v := c.GetHeader("Last-Event-ID")
	if v == "" {
		v = c.Query("last_event_id")
	}
	if v == "" {
		return 0, false, nil
	}
	id, err = strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, false, qrcircles.Fail(qrcircles.EInvalid, "api.last_event_id").WithField("Last-Event-ID")
	}
	return id, true, nil
}

// detach writes the response head and the replay on the hijacked connection, then hands it
// to the hub's writers. The body is delimited by the connection's close.
func (h *Hub) detach(ctx context.Context, c *gin.Context, sub *Subscription, conn net.Conn, last int64, replay bool) {
	c.Abort()
	write := func(b []byte) error {
		_ = conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		_, err := conn.Write(b)
		return err
	}
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\n")
	c.Writer.Header().Write(&head)
	head.WriteString("\r\n" + opening(replay, sub.From))
	err := write(head.Bytes())
	if err == nil && replay {
		last, err = h.resume(ctx, sub, last, write)
	}
	if err != nil {
		h.Unsubscribe(sub)
		conn.Close()
		return
	}
	h.attach(sub, conn, last)
}

// replay sends the stream's events after last up to through from the log, a page at a time.
func (h *Hub) replay(ctx context.Context, sub *Subscription, last, through int64, write func([]byte) error) error {
	ctx = context.WithValue(ctx, replayKey{}, true)
	for last < through {
		evs, err := h.o.Log.EventsForUser(ctx, sub.UserID, last, through, h.o.Batch)
		if err != nil {
			return err
		}
		var buf []byte
		for i := range evs {
			if sub.allows(evs[i].Type) {
				if p := h.prepare(ctx, &evs[i])(sub.UserID); p != nil {
					buf = appendSSE(buf, evs[i].ID, evs[i].Type, p.Data)
				}
			}
		}
		if len(buf) > 0 {
			if err := write(buf); err != nil {
				return err
			}
		}
		if len(evs) < h.o.Batch {
			return nil
		}
		last = evs[len(evs)-1].ID
	}
	return nil
}

// appendDeliveries appends the events the client does not have yet (it may have had them
// from another instance further ahead) and may get.
func (h *Hub) appendDeliveries(ctx context.Context, buf []byte, ds []*delivery, last int64, sub *Subscription) []byte {
	for _, d := range ds {
		buf = append(buf, h.textOf(ctx, d, last, sub)...)
	}
	return buf
}

// textOf is the shared stream text of d for sub, nil when the client has it already or may
// not get it.
func (h *Hub) textOf(ctx context.Context, d *delivery, last int64, sub *Subscription) []byte {
	if d.ev.ID <= last || !sub.gets(d) {
		return nil
	}
	return h.textFor(ctx, d, sub.UserID)
}

// appendSSE appends one event in the stream's format.
func appendSSE(buf []byte, id int64, typ string, payload []byte) []byte {
	buf = append(buf, "id: "...)
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(buf, "\nevent: "...)
	buf = append(buf, typ...)
	if len(payload) == 0 {
		buf = append(buf, "\ndata: "...)
	}
	for line := range bytes.Lines(payload) { // a JSON text may hold line breaks
		buf = append(buf, "\ndata: "...)
		buf = append(buf, bytes.TrimRight(line, "\r\n")...)
	}
	return append(buf, "\n\n"...)
}

// stream is a stream that keeps its handler goroutine (HTTP/2, or NoDetach).
type stream struct {
	hub *Hub
	c   *gin.Context
	rc  *http.ResponseController
	buf []byte
}

// live sends what the subscription gets, skipping what the client already has (it may have
// had it from another instance further ahead), and a heartbeat when idle.
func (s *stream) live(ctx context.Context, sub *Subscription, last int64) {
	beat := time.NewTicker(s.hub.o.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			s.buf = append(s.buf, heartbeat...)
		case <-sub.Ready():
			ds, open := sub.take()
			if !open {
				return // dropped or shut down: the client reconnects with Last-Event-ID
			}
			s.buf = s.hub.appendDeliveries(ctx, s.buf, ds, last, sub)
		}
		if err := s.flush(); err != nil {
			return
		}
	}
}

func (s *stream) write(b []byte) error {
	s.buf = append(s.buf, b...)
	return s.flush()
}

// flush writes what is buffered, within streamWriteTimeout, and lets the buffer go: an idle
// stream should hold no memory of its own.
func (s *stream) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	_ = s.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	_, err := s.c.Writer.Write(s.buf)
	if err == nil {
		err = s.rc.Flush()
	}
	s.buf = nil
	return err
}

type replayKey struct{}

// IsReplay tells a Filter that it runs for a client catching up on events from the log,
// which may be long after they happened: what it shows must be read afresh.
func IsReplay(ctx context.Context) bool {
	r, _ := ctx.Value(replayKey{}).(bool)
	return r
}
