package push_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"qrcircles"

	"qrcircles/resource/push"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestPushResetsWhenTheLogCannotVouchForLastEventID: the cleanup deletes the events older
// than the retention; a client resuming from before them gets a reset first and then what
// is kept, in order; one resuming from just before the oldest kept event gets no reset; one
// with an ID the log never handed out gets a reset and then every new event.
func TestPushResetsWhenTheLogCannotVouchForLastEventID(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { testReset(t, m.opts) })
	}
}

func testReset(t *testing.T, o push.Options) {
	o.Retention = 1000 * time.Hour // the deleting is the test's, through the database cleanup
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db, 1)
		in := startInstance(t, db, o)
		member := w.members[0]
		var expired, kept []storage.Event
		for i := range 2 {
			e := cardUpdated(t, w.circle, w.org, "old"+strconv.Itoa(i))
			e.CreatedAt = time.Now().Add(-storage.EventRetention - time.Hour)
			expired = append(expired, in.appendEvents(t, e)...)
		}
		for i := range 3 {
			kept = append(kept, in.appendEvents(t, cardUpdated(t, w.circle, w.org, "new"+strconv.Itoa(i)))...)
		}
		waitFor(t, "the hub to confirm the events", func() bool { return in.hub.Confirmed() == kept[2].ID })
		cleanup(t, db, time.Now(), 2)
		from := func(id int64) string { return strconv.FormatInt(id, 10) }

		c := connect(t, in.url, member, from(expired[0].ID))
		got := c.events(t, 4)
		wantReset(t, got[0], expired[1].ID, push.ResetHistoryExpired, kept[0].ID, kept[2].ID)
		if !slices.Equal(ids(got[1:]), eventIDs(kept)) || got[1].Type != qrcircles.EventCardUpdated {
			t.Fatalf("after the reset got %v, want %v", ids(got[1:]), eventIDs(kept))
		}

		// Just before the oldest kept event: nothing was lost. The reset's own ID is this one,
		// so a client that reconnects after a reset is not reset again.
		c = connect(t, in.url, member, from(expired[1].ID))
		if got := c.events(t, 3); !slices.Equal(ids(got), eventIDs(kept)) {
			t.Fatalf("from just before the oldest kept event got %+v, want %v", got, eventIDs(kept))
		}

		// 0 asks for the whole history; events from 1 on are gone.
		c = connect(t, in.url, member, "0")
		wantReset(t, c.events(t, 1)[0], expired[1].ID, push.ResetHistoryExpired, kept[0].ID, kept[2].ID)

		// The newest ID is known; one above it is not (a database reset, or made up). The
		// stream then goes on with new events even though their IDs are below the client's.
		newest := connect(t, in.url, member, from(kept[2].ID))
		future := connect(t, in.url, member, from(kept[2].ID+1000))
		wantReset(t, future.events(t, 1)[0], kept[2].ID, push.ResetUnknownID, kept[0].ID, kept[2].ID)
		live := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "live"))[0]
		for name, c := range map[string]*client{"newest": newest, "future": future} {
			if got := c.events(t, 1)[0]; got.ID != live.ID || got.Type != qrcircles.EventCardUpdated {
				t.Fatalf("%s: got %+v, want event %d", name, got, live.ID)
			}
		}

		// The whole log expires: the newest ID still has everything, the one before it not.
		waitFor(t, "the hub to confirm the live event", func() bool { return in.hub.Confirmed() == live.ID })
		cleanup(t, db, time.Now().Add(storage.EventRetention+time.Minute), 4)
		connect(t, in.url, member, from(live.ID)).quiet(t, 200*time.Millisecond)
		c = connect(t, in.url, member, from(live.ID-1))
		wantReset(t, c.events(t, 1)[0], live.ID, push.ResetHistoryExpired, live.ID+1, live.ID)
		c.quiet(t, 100*time.Millisecond)
	})
}

// cleanup runs the database cleanup at now and checks how many events it deleted.
func cleanup(t *testing.T, db *storage.DB, now time.Time, events int64) {
	t.Helper()
	r, err := db.Cleanup(context.Background(), now, 365*24*time.Hour)
	if err != nil || r.Events != events {
		t.Fatalf("cleanup deleted %d events (%v), want %d", r.Events, err, events)
	}
}

func wantReset(t *testing.T, m sse, id int64, reason string, oldest, newest int64) {
	t.Helper()
	var d struct {
		Reason   string `json:"reason"`
		OldestID int64  `json:"oldest_id"`
		NewestID int64  `json:"newest_id"`
	}
	if m.Type != push.Reset || json.Unmarshal([]byte(m.Data), &d) != nil {
		t.Fatalf("want a reset, got %+v", m)
	}
	if m.ID != id || d.Reason != reason || d.OldestID != oldest || d.NewestID != newest {
		t.Fatalf("reset %+v, want id %d, %s, oldest %d, newest %d", m, id, reason, oldest, newest)
	}
}
