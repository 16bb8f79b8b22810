package apitest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"qrcircles"
)

// Events is an event log for the services in tests: it keeps what it is given, counts the
// wake-ups after commit, and fails while Fail is set.
type Events struct {
	mu       sync.Mutex
	events   []qrcircles.Event
	notified int
	Fail     bool
}

// AppendEvents keeps evs, or fails while Fail is set.
func (r *Events) AppendEvents(_ context.Context, evs ...qrcircles.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail {
		return errors.New("event log down")
	}
	r.events = append(r.events, evs...)
	return nil
}

// Notify counts a wake-up of the push layer.
func (r *Events) Notify() { r.mu.Lock(); r.notified++; r.mu.Unlock() }

// Notified is how many times the push layer was woken.
func (r *Events) Notified() int { r.mu.Lock(); defer r.mu.Unlock(); return r.notified }

// Take returns the events kept since the last Take.
func (r *Events) Take() []qrcircles.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// Payload decodes an event's payload into a map, failing the test if it is not a JSON object.
func Payload(t interface {
	Helper()
	Fatalf(format string, args ...any)
}, e qrcircles.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Payload, &m); err != nil {
		t.Fatalf("event %s payload %q: %v", e.Type, e.Payload, err)
	}
	return m
}
