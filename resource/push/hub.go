package push

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"qrcircles/storage"
)

// EventLog is what the hub needs of the database.
type EventLog interface {
	EventsAfter(ctx context.Context, afterID int64, limit int) ([]storage.Event, error)
	EventsForUser(ctx context.Context, userID, afterID, throughID int64, limit int) ([]storage.Event, error)
	EventBounds(ctx context.Context) (storage.EventBounds, error)
	EventIDBefore(ctx context.Context, t time.Time) (int64, error)
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
	NotifyEvents(ctx context.Context) error
	ListenEvents(ctx context.Context) (*storage.EventListener, error)
}

var _ EventLog = (*storage.DB)(nil)

// Options configure a hub. Zero values take the defaults.
type Options struct {
	Log    EventLog
	Logger *slog.Logger
	Filter Filter // nil: every recipient gets the payload as written
	// Grace is how long a gap in the event IDs is waited for before it is taken as a rolled
	// back transaction and skipped. Default 2 s.
	Grace time.Duration
	// Poll is the safety net: the log is read this often even when nobody says so. Default 5 s.
	Poll time.Duration
	// Heartbeat is how often an idle stream gets a comment line. Default 15 s.
	Heartbeat time.Duration
	// Retention is how long events stay in the log for replay. Default 25 h.
	Retention time.Duration
	// MaxPending is how many undelivered events a stream may have before it is dropped (its
	// client reconnects with Last-Event-ID and loses nothing). Default 1024.
	MaxPending int
	// Batch is how many events one read of the log takes. Default 500.
	Batch int
	// Writers is how many goroutines write to the detached streams. Default 4 per CPU.
	Writers int
	// NoDetach keeps every stream on its own handler goroutine (as over HTTP/2).
	NoDetach bool
	// Lag, when set, is told how long after its commit each live event reached a stream.
	Lag func(time.Duration)
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Grace, 2*time.Second)
	def(&o.Poll, 5*time.Second)
	def(&o.Heartbeat, 15*time.Second)
	def(&o.Retention, 25*time.Hour)
	if o.MaxPending <= 0 {
		o.MaxPending = 1024
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Writers <= 0 {
		o.Writers = max(8, 4*runtime.GOMAXPROCS(0))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Hub fans the event log out to this instance's subscribers.
//
// Ordering: event IDs come from a sequence at insert time, so a transaction holding a lower
// ID may commit after one holding a higher ID. The hub therefore keeps a confirmed cursor:
// every event up to it has been fanned out, and it never passes a gap in the IDs until the
// gap fills (the late transaction commits) or Grace has passed since the gap was first seen
// (a rolled-back transaction leaves a gap for ever). Replay to a reconnecting client stops
// at the cursor too, so an event that commits late is delivered live instead of being
// skipped by both.
type Hub struct {
	o     Options
	wake  chan struct{} // the log has new rows: read it
	out   chan struct{} // a local write committed: tell the other instances
	ready chan struct{} // the cursor is set
	done  chan struct{} // the hub is closed
	once  sync.Once

	mu       sync.Mutex
	cursor   int64
	closed   bool
	slots    int // subscriptions so far, to spread them over the heartbeat slots
	byUser   map[int64]map[*Subscription]struct{}
	byCircle map[int64]map[*Subscription]struct{}

	// seen records, for the Run goroutine only, the highest ID of each read and when it was
	// made: a missing ID below it has been missing since then at least.
	seen      []sighting
	listenPID atomic.Uint32
	queue     writeQueue
	types     typeBits
}

type sighting struct {
	maxID int64
	at    time.Time
}

// New returns a hub; start it with Run.
func New(o Options) *Hub {
	o.defaults()
	return &Hub{
		o:        o,
		wake:     make(chan struct{}, 1),
		out:      make(chan struct{}, 1),
		ready:    make(chan struct{}),
		done:     make(chan struct{}),
		byUser:   map[int64]map[*Subscription]struct{}{},
		byCircle: map[int64]map[*Subscription]struct{}{},
		queue:    writeQueue{wake: make(chan struct{}, 1)},
		types:    newTypeBits(),
	}
}

// Subscription is one stream's place in the hub. The hub appends events to it and never
// blocks on it; when too many are waiting, it is closed.
type Subscription struct {
	UserID int64
	// From is the hub's confirmed cursor when the subscription began: the subscription gets
	// every event after it, and replay from the log must stop at it.
	From int64

	allow   func(typ string) bool // the event types the stream gets; nil: all
	types   typeSet               // what allow says of the types a token's scopes cover
	wake    chan struct{}         // 1 slot: events are waiting; closed when the subscription ends
	mu      sync.Mutex
	pending []*delivery
	ended   bool
	circles []int64 // guarded by Hub.mu
	slot    int     // its heartbeat slot; set once, under Hub.mu

	// A detached stream (see attach) is written by the hub's writers instead of a goroutine
	// of its own; these are guarded by mu.
	conn   net.Conn
	q      *writeQueue
	queued bool  // in the queue or being written: one writer at a time
	beat   bool  // a heartbeat is due
	last   int64 // the client has every event up to here
}

// Ready is signalled when events are waiting, and closed when the subscription has ended.
func (s *Subscription) Ready() <-chan struct{} { return s.wake }

// Take returns the waiting events in ID order; open is false once the subscription has ended
// (dropped as too slow, unsubscribed, or the hub closed).
func (s *Subscription) Take() (evs []*storage.Event, open bool) {
	ds, open := s.take()
	for _, d := range ds {
		evs = append(evs, d.ev)
	}
	return evs, open
}

func (s *Subscription) take() ([]*delivery, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds := s.pending
	s.pending = nil
	return ds, !s.ended
}

// push adds ev, or reports false when the subscription is over its limit.
func (s *Subscription) push(ev *delivery, limit int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return true
	}
	if len(s.pending) >= limit {
		return false
	}
	s.pending = append(s.pending, ev)
	if s.conn != nil {
		s.enqueueLocked()
		return true
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

func (s *Subscription) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.ended, s.pending = true, nil
		close(s.wake)
		if s.conn != nil {
			s.conn.Close()
		}
	}
}

// Subscribe registers a stream for the user's events and those of the circles (the ones the
// user belongs to or organizes now).
func (h *Hub) Subscribe(userID int64, circles []int64) *Subscription {
	return h.subscribeOnly(userID, circles, nil)
}

// subscribeOnly is Subscribe for a stream that gets only the event types allow lets
// through (nil: all).
func (h *Hub) subscribeOnly(userID int64, circles []int64, allow func(typ string) bool) *Subscription {
	s := &Subscription{UserID: userID, allow: allow, wake: make(chan struct{}, 1), circles: slices.Clone(circles)}
	if allow != nil {
		s.types = h.types.of(allow)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s.From = h.cursor
	s.slot = h.slots % heartbeatSlots
	h.slots++
	if h.closed {
		s.end()
		return s
	}
	index(h.byUser, userID, s)
	for _, c := range circles {
		index(h.byCircle, c, s)
	}
	return s
}

// allows reports whether the stream gets events of the type.
func (s *Subscription) allows(typ string) bool { return s.allow == nil || s.allow(typ) }

// gets reports whether the stream gets the delivery's event type: one test of a bit for
// the types a token's scopes cover, asked of allow once at subscribe time.
func (s *Subscription) gets(d *delivery) bool {
	switch {
	case s.allow == nil:
		return true
	case d.bit != 0:
		return s.types&d.bit != 0
	}
	return s.allow(d.ev.Type)
}

// Unsubscribe removes the stream; it is safe to call more than once.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.remove(s)
}

// remove needs h.mu.
func (h *Hub) remove(s *Subscription) {
	unindex(h.byUser, s.UserID, s)
	for _, c := range s.circles {
		unindex(h.byCircle, c, s)
	}
	s.end()
}

func index(m map[int64]map[*Subscription]struct{}, k int64, s *Subscription) {
	set := m[k]
	if set == nil {
		set = map[*Subscription]struct{}{}
		m[k] = set
	}
	set[s] = struct{}{}
}

func unindex(m map[int64]map[*Subscription]struct{}, k int64, s *Subscription) {
	if set := m[k]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}

// Subscribers counts the streams connected to this instance.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.byUser {
		n += len(set)
	}
	return n
}

// Confirmed is the cursor: every event up to it has been fanned out.
func (h *Hub) Confirmed() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cursor
}

// Notify tells the hub that a transaction that appended events has committed: the local
// instance reads the log at once, and on PostgreSQL the other instances are told through
// NOTIFY, sent from here after the commit rather than inside the transaction. Call it after
// every commit that appended events; it never blocks.
func (h *Hub) Notify() {
	signal(h.wake)
	signal(h.out)
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// ListenPID is the PostgreSQL backend of the LISTEN connection, 0 when there is none.
func (h *Hub) ListenPID() uint32 { return h.listenPID.Load() }

// Running reports whether Run has started fanning events out and the hub is not closed.
func (h *Hub) Running() bool {
	select {
	case <-h.done:
		return false
	default:
	}
	select {
	case <-h.ready:
		return true
	default:
		return false
	}
}

// Close ends every subscription, so that the streams return, and refuses new ones. Call it
// when the server shuts down (http.Server.RegisterOnShutdown), since Shutdown waits for
// streams that would otherwise never end.
func (h *Hub) Close() {
	h.once.Do(func() {
		h.mu.Lock()
		h.closed = true
		for _, set := range h.byUser {
			for s := range set {
				h.remove(s)
			}
		}
		h.mu.Unlock()
		close(h.done)
	})
}

// Run reads the log whenever it is told to and fans the events out, until ctx ends; then it
// closes the hub. On PostgreSQL it holds one LISTEN connection.
func (h *Hub) Run(ctx context.Context) error {
	defer h.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends listen and announce when Close ends the loop
	if err := h.start(ctx); err != nil {
		return err
	}
	go h.listen(ctx)
	go h.announce(ctx)
	for range h.o.Writers {
		go h.writer(ctx)
	}
	poll := time.NewTicker(h.o.Poll)
	defer poll.Stop()
	beat := time.NewTicker(max(h.o.Heartbeat/heartbeatSlots, time.Millisecond))
	defer beat.Stop()
	beats := 0
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	h.prune(ctx)
	for {
		wait, err := h.catchUp(ctx)
		if err != nil && ctx.Err() == nil {
			h.o.Logger.Warn("reading the event log", "error", err)
			wait = time.Second
		}
		var retry <-chan time.Time
		if wait > 0 {
			t := time.NewTimer(wait)
			retry = t.C
		}
		select {
		case <-ctx.Done():
			return nil
		case <-h.done:
			return nil
		case <-h.wake:
		case <-poll.C:
		case <-retry:
		case <-prune.C:
			h.prune(ctx)
		case <-beat.C:
			h.heartbeat(beats % heartbeatSlots)
			beats++
		}
	}
}

// start sets the cursor a while back, so that a transaction still open when the instance
// started is not missed; nobody is subscribed yet, so the catch-up sends nothing twice.
func (h *Hub) start(ctx context.Context) error {
	for {
		id, err := h.o.Log.EventIDBefore(ctx, time.Now().Add(-time.Minute))
		if err == nil {
			h.mu.Lock()
			h.cursor = id
			h.mu.Unlock()
			close(h.ready)
			return nil
		}
		h.o.Logger.Warn("starting the push hub", "error", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func (h *Hub) prune(ctx context.Context) {
	n, err := h.o.Log.DeleteEventsBefore(ctx, time.Now().Add(-h.o.Retention))
	if err != nil && ctx.Err() == nil {
		h.o.Logger.Warn("pruning the event log", "error", err)
	} else if n > 0 {
		h.o.Logger.Debug("pruned the event log", "events", n)
	}
}

// catchUp fans out every committed event after the cursor up to the first gap that is still
// within its grace, and returns how long until that gap may be skipped (0: none).
func (h *Hub) catchUp(ctx context.Context) (time.Duration, error) {
	for {
		cursor := h.Confirmed()
		evs, err := h.o.Log.EventsAfter(ctx, cursor, h.o.Batch)
		if err != nil {
			return 0, err
		}
		now := time.Now()
		h.sighted(evs, cursor, now)
		n, wait := h.contiguous(evs, cursor, now)
		h.fanOut(evs[:n])
		if wait > 0 || len(evs) < h.o.Batch {
			return wait, nil
		}
	}
}

func (h *Hub) sighted(evs []storage.Event, cursor int64, now time.Time) {
	i := sort.Search(len(h.seen), func(i int) bool { return h.seen[i].maxID > cursor })
	h.seen = h.seen[i:]
	if len(evs) == 0 {
		return
	}
	if last := evs[len(evs)-1].ID; len(h.seen) == 0 || last > h.seen[len(h.seen)-1].maxID {
		h.seen = append(h.seen, sighting{last, now})
	}
}

// contiguous returns how many of evs may be fanned out now, and the wait for the gap that
// stops it.
func (h *Hub) contiguous(evs []storage.Event, cursor int64, now time.Time) (int, time.Duration) {
	next := cursor + 1
	for i, e := range evs {
		if e.ID > next {
			missingSince := h.firstSeenAbove(next)
			if wait := h.o.Grace - now.Sub(missingSince); wait > 0 {
				return i, wait
			}
			h.o.Logger.Debug("skipping a gap in the event log", "from", next, "to", e.ID-1)
		}
		next = e.ID + 1
	}
	return len(evs), 0
}

// firstSeenAbove is when a read first saw an event with an ID above id.
func (h *Hub) firstSeenAbove(id int64) time.Time {
	i := sort.Search(len(h.seen), func(i int) bool { return h.seen[i].maxID > id })
	if i == len(h.seen) {
		return time.Now() // cannot happen: the read that found the gap was recorded
	}
	return h.seen[i].at
}

// fanOut hands each event to its recipients' subscriptions and advances the cursor, under
// one lock, so that a subscription sees exactly the events after its From.
func (h *Hub) fanOut(evs []storage.Event) {
	if len(evs) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range evs {
		ev := &evs[i]
		d := &delivery{ev: ev, bit: h.types[ev.Type]}
		if joinsAudience(ev) {
			h.setCircle(ev.SubjectID, ev.CircleID, true)
		}
		set := h.byCircle[ev.CircleID]
		if ev.RecipientID != 0 {
			set = h.byUser[ev.RecipientID]
		}
		for s := range set {
			if !s.push(d, h.o.MaxPending) {
				h.remove(s) // too slow: it reconnects with Last-Event-ID
			}
		}
		if leavesAudience(ev) {
			h.setCircle(ev.SubjectID, ev.CircleID, false)
		}
		h.cursor = ev.ID
	}
}

// setCircle adds or removes a circle in the user's local subscriptions; needs h.mu.
func (h *Hub) setCircle(userID, circleID int64, in bool) {
	for s := range h.byUser[userID] {
		has := false
		for i, c := range s.circles {
			if c == circleID {
				has = true
				if !in {
					s.circles = append(s.circles[:i:i], s.circles[i+1:]...)
				}
				break
			}
		}
		if in && !has {
			s.circles = append(s.circles, circleID)
			index(h.byCircle, circleID, s)
		} else if !in && has {
			unindex(h.byCircle, circleID, s)
		}
	}
}

// listen holds the LISTEN connection: each notification wakes the loop, and so does each
// new connection, since notifications sent while it was down are lost.
func (h *Hub) listen(ctx context.Context) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		l, err := h.o.Log.ListenEvents(ctx)
		if errors.Is(err, storage.ErrNoListen) {
			return // SQLite: one process, woken by Notify
		}
		if err == nil {
			backoff = 0
			h.listenPID.Store(l.PID())
			signal(h.wake)
			for err == nil {
				if err = l.Wait(ctx); err == nil {
					signal(h.wake)
				}
			}
			h.listenPID.Store(0)
			l.Close()
		}
		if ctx.Err() != nil {
			return
		}
		h.o.Logger.Warn("event listener lost; reconnecting", "error", err, "after", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(max(2*backoff, 50*time.Millisecond), time.Second)
	}
}

// announce sends the NOTIFY for local commits, one at a time: signals that arrive meanwhile
// fold into the next one, which is still sent after their commits.
func (h *Hub) announce(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.out:
			if err := h.o.Log.NotifyEvents(ctx); err != nil && ctx.Err() == nil {
				h.o.Logger.Warn("notifying other instances", "error", err)
			}
		}
	}
}
