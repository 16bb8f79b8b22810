package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"qrcircles/resource/push"
)

// floorEvent is the floor's one event, encoded once: a card.updated of about the size the
// server sends for the bench's card edit.
var floorEvent = []byte("id: 1\nevent: " + push.CardUpdated + "\n" +
	`data: {"circle_id":1,"user_id":1,"card":{"user_id":1,"display_name":"Bench Edit","title":"Push","company":"QR Circles"}}` + "\n\n")

// floorBroadcaster is the least a server can do for the push: plain net/http, a handler
// goroutine per stream that writes the opening, flushes and waits; the broadcast closes one
// channel, and every handler writes the pre-encoded event and flushes it. No token, no
// subscription, no event log, no per-viewer card.
type floorBroadcaster struct {
	start      chan struct{}
	subscribed atomic.Int64
}

func (b *floorBroadcaster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	if _, err := io.WriteString(w, "retry: 2000\nid: 0\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	b.subscribed.Add(1)
	select {
	case <-b.start:
		if _, err := w.Write(floorEvent); err != nil || rc.Flush() != nil {
			return
		}
	case <-r.Context().Done():
		return
	}
	<-r.Context().Done()
}

// pushFloor serves n streams from the floor broadcaster to the same client process as the
// real run, and measures when each stream has the one event.
func pushFloor(ctx context.Context, tokenFile string, n, concurrency int) (pushFloorFigures, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return pushFloorFigures{}, err
	}
	b := &floorBroadcaster{start: make(chan struct{})}
	srv := &http.Server{Handler: b}
	go srv.Serve(ln)
	defer srv.Close()
	child, err := startPushClients(ctx, []string{"http://" + ln.Addr().String() + "/events"}, tokenFile, concurrency)
	if err != nil {
		return pushFloorFigures{}, err
	}
	defer child.stop()
	if err := child.waitReady(n); err != nil {
		return pushFloorFigures{}, fmt.Errorf("floor: %w", err)
	}
	if got := b.subscribed.Load(); got != int64(n) {
		return pushFloorFigures{}, fmt.Errorf("floor: %d streams open, want %d", got, n)
	}
	sent := time.Now()
	close(b.start)
	received, err := child.report()
	if err != nil {
		return pushFloorFigures{}, fmt.Errorf("floor: %w", err)
	}
	r := pushFigures(sent, received, 0)
	return pushFloorFigures{Subscribers: r.Subscribers, Delivered: r.Delivered, Missed: r.Missed, FirstMs: r.FirstMs, P50ms: r.P50ms, P99ms: r.P99ms, MaxMs: r.MaxMs}, nil
}
