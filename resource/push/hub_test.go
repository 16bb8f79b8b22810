package push_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"qrcircles/resource/push"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// modes are the two ways a stream is written: detached from its handler (HTTP/1.1), and
// on its handler goroutine (HTTP/2).
var modes = []struct {
	name string
	opts push.Options
}{{"detached", push.Options{}}, {"handler", push.Options{NoDetach: true}}}

func TestPushReplayThenLiveWithoutDuplicates(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { testReplayThenLive(t, m.opts) })
	}
}

func testReplayThenLive(t *testing.T, o push.Options) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db, 1)
		in := startInstance(t, db, o)
		member := w.members[0]
		first := connect(t, in.url, member, "")
		var written []storage.Event
		for i := range 5 {
			written = append(written, in.appendEvents(t, cardUpdated(t, w.circle, w.org, strconv.Itoa(i)))...)
		}
		// Events of others are not this member's business.
		in.appendEvents(t, storage.Event{RecipientID: w.outsider, Type: push.CardDelivered})
		if got := ids(first.events(t, 5)); !slices.Equal(got, eventIDs(written)) {
			t.Fatalf("live: got %v, want %v", got, eventIDs(written))
		}
		first.close()

		again := connect(t, in.url, member, strconv.FormatInt(written[1].ID, 10))
		written = append(written, in.appendEvents(t, cardUpdated(t, w.circle, w.org, "5"), cardUpdated(t, w.circle, w.org, "6"))...)
		want := eventIDs(written[2:])
		got := again.events(t, len(want))
		if !slices.Equal(ids(got), want) {
			t.Fatalf("replay then live: got %v, want %v", ids(got), want)
		}
		if got[0].Type != push.CardUpdated || got[0].Data != `{"name":"2"}` {
			t.Fatalf("event: %+v", got[0])
		}
		again.quiet(t, 200*time.Millisecond)
	})
}

func TestPushFilterDecidesPerRecipient(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db, 2)
		hidden, shown := w.members[0], w.members[1]
		filter := func(_ context.Context, ev storage.Event) push.View {
			return func(userID int64) *push.Payload {
				if userID == hidden {
					return nil
				}
				return push.NewPayload(fmt.Appendf(nil, `{"for":%d,"was":%s}`, userID, ev.Payload))
			}
		}
		in := startInstance(t, db, push.Options{Filter: filter})
		a, b := connect(t, in.url, hidden, ""), connect(t, in.url, shown, "")
		ev := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "x"))[0]
		got := b.events(t, 1)[0]
		if want := fmt.Sprintf(`{"for":%d,"was":{"name":"x"}}`, shown); got.Data != want {
			t.Fatalf("filtered payload %q, want %q", got.Data, want)
		}
		a.quiet(t, 200*time.Millisecond)

		// Replay goes through the same filter.
		r := connect(t, in.url, shown, strconv.FormatInt(ev.ID-1, 10))
		if got := r.events(t, 1)[0]; got.ID != ev.ID || got.Data != fmt.Sprintf(`{"for":%d,"was":{"name":"x"}}`, shown) {
			t.Fatalf("replayed %+v", got)
		}
	})
}

func TestPushDropsSlowSubscriberOnly(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db, 2)
		in := startInstance(t, db, push.Options{MaxPending: 3})
		slow := in.hub.Subscribe(w.members[0], []int64{w.circle})
		fast := in.hub.Subscribe(w.members[1], []int64{w.circle})
		var sent, got []int64
		for i := range 10 {
			ev := in.appendEvents(t, cardUpdated(t, w.circle, w.org, strconv.Itoa(i)))[0]
			sent = append(sent, ev.ID)
			select {
			case <-fast.Ready():
			case <-time.After(wait):
				t.Fatalf("event %d not delivered", i)
			}
			evs, open := fast.Take()
			if !open {
				t.Fatal("the fast subscriber was dropped")
			}
			for _, e := range evs {
				got = append(got, e.ID)
			}
		}
		if !slices.Equal(got, sent) {
			t.Fatalf("fast subscriber got %v, want %v", got, sent)
		}
		if _, open := slow.Take(); open {
			t.Fatal("a subscriber that never read is still subscribed")
		}
		for range slow.Ready() { // a signal may wait before the close
		}
		if n := in.hub.Subscribers(); n != 1 {
			t.Fatalf("%d subscribers, want 1", n)
		}
	})
}

func TestPushFollowsMembershipChanges(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db, 0)
		in := startInstance(t, db, push.Options{})
		c := connect(t, in.url, w.outsider, "") // not a member yet: subscribed to no circle
		before := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "before"))[0]
		addMember(t, db, w.circle, w.outsider)
		joined, _ := push.ToCircle(w.circle, w.outsider, push.MemberJoined, map[string]int64{"user_id": w.outsider})
		joined = in.appendEvents(t, joined)[0]
		during := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "during"))[0]
		if got := ids(c.events(t, 2)); !slices.Equal(got, []int64{joined.ID, during.ID}) {
			t.Fatalf("after joining got %v, want %v (not %d)", got, []int64{joined.ID, during.ID}, before.ID)
		}
		left, _ := push.ToCircle(w.circle, w.outsider, push.MemberLeft, map[string]int64{"user_id": w.outsider})
		left = in.appendEvents(t, left)[0]
		if got := c.events(t, 1)[0]; got.ID != left.ID {
			t.Fatalf("the leaver did not get its own member.left: %+v", got)
		}
		in.appendEvents(t, cardUpdated(t, w.circle, w.org, "after"))
		c.quiet(t, 200*time.Millisecond)
	})
}

func TestPushHeartbeatAndShutdown(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			m.opts.Heartbeat = 20 * time.Millisecond
			testHeartbeatAndShutdown(t, m.opts)
		})
	}
}

func testHeartbeatAndShutdown(t *testing.T, o push.Options) {
	db := storagetest.SQLite(t)
	w := newWorld(t, db, 1)
	in := startInstance(t, db, o)
	c := connect(t, in.url, w.members[0], "")
	if m := c.next(t); m.Comment != "heartbeat" {
		t.Fatalf("want a heartbeat, got %+v", m)
	}
	in.hub.Close()
	deadline := time.After(wait)
	for {
		select {
		case _, ok := <-c.msgs:
			if !ok {
				return // the stream ended with the hub
			}
		case <-deadline:
			t.Fatal("the stream outlived the hub")
		}
	}
}

func TestPushRejectsUnauthenticatedAndBadLastEventID(t *testing.T) {
	db := storagetest.SQLite(t)
	in := startInstance(t, db, push.Options{})
	for _, tc := range []struct {
		user, last string
		want       int
	}{{"", "", 401}, {"1", "abc", 400}, {"1", "-1", 400}} {
		req, _ := newRequest(in.url, tc.user, tc.last)
		resp, err := httpDo(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("user %q last %q: %s %s, want %d problem", tc.user, tc.last, resp.Status, resp.Header.Get("Content-Type"), tc.want)
		}
	}
}

// TestPushWaitsForLateCommit holds a transaction with a lower event ID open while one with a
// higher ID commits: nothing may be delivered (nor replayed) past the gap until the first
// one commits, and then both arrive in ID order.
func TestPushWaitsForLateCommit(t *testing.T) {
	db := storagetest.Postgres(t)
	w := newWorld(t, db, 1)
	in := startInstance(t, db, push.Options{Grace: time.Minute})
	ctx := context.Background()
	c := connect(t, in.url, w.members[0], "")
	base := in.hub.Confirmed()

	appended, commit := make(chan storage.Event), make(chan struct{})
	lateErr := make(chan error, 1)
	go func() {
		lateErr <- db.InTx(ctx, func(ctx context.Context) error {
			evs := []storage.Event{cardUpdated(t, w.circle, w.org, "late")}
			if err := db.AppendEvents(ctx, evs...); err != nil {
				return err
			}
			appended <- evs[0]
			<-commit
			return nil
		})
	}()
	var late storage.Event
	select {
	case late = <-appended:
	case err := <-lateErr:
		t.Fatal(err)
	}
	early := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "early"))[0]
	if early.ID <= late.ID {
		t.Fatalf("ids %d, %d: the test needs the later insert to have the higher ID", late.ID, early.ID)
	}
	c.quiet(t, 300*time.Millisecond)
	if got := in.hub.Confirmed(); got != base {
		t.Fatalf("the cursor moved past an open transaction: %d, was %d", got, base)
	}
	// A reconnecting client is not replayed past the gap either.
	r := connect(t, in.url, w.members[0], strconv.FormatInt(base, 10))
	r.quiet(t, 100*time.Millisecond)

	close(commit)
	if err := <-lateErr; err != nil {
		t.Fatal(err)
	}
	in.hub.Notify()
	for _, cl := range []*client{c, r} {
		if got := ids(cl.events(t, 2)); !slices.Equal(got, []int64{late.ID, early.ID}) {
			t.Fatalf("got %v, want %v", got, []int64{late.ID, early.ID})
		}
	}
}

// TestPushSkipsRolledBackGap: a rolled-back insert leaves a gap for ever; after the grace
// period the events behind it are delivered.
func TestPushSkipsRolledBackGap(t *testing.T) {
	db := storagetest.Postgres(t)
	w := newWorld(t, db, 1)
	in := startInstance(t, db, push.Options{Grace: 300 * time.Millisecond})
	c := connect(t, in.url, w.members[0], "")
	boom := errors.New("rolled back")
	err := db.InTx(context.Background(), func(ctx context.Context) error {
		if err := db.AppendEvents(ctx, cardUpdated(t, w.circle, w.org, "never")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	after := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "after"))[0]
	start := time.Now()
	if got := c.events(t, 1)[0]; got.ID != after.ID {
		t.Fatalf("got %+v, want event %d", got, after.ID)
	}
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Fatalf("delivered after %v: the gap was not waited for", waited)
	}
}

func TestPushForgetsClientsThatLeft(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			db := storagetest.SQLite(t)
			w := newWorld(t, db, 1)
			m.opts.Heartbeat = 20 * time.Millisecond
			in := startInstance(t, db, m.opts)
			c := connect(t, in.url, w.members[0], "")
			if n := in.hub.Subscribers(); n != 1 {
				t.Fatalf("%d subscribers, want 1", n)
			}
			c.close()
			waitFor(t, "the stream to be unsubscribed", func() bool { return in.hub.Subscribers() == 0 })
		})
	}
}

// A first connection names where its live stream starts, so that a client that drops before
// any event came can resume from there instead of starting over and missing what came
// between. A resumed stream names nothing: the client keeps its own ID.
func TestPushFirstConnectionNamesWhereItStarts(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
				w := newWorld(t, db, 2)
				in := startInstance(t, db, m.opts)
				watcher := connect(t, in.url, w.members[1], "")
				before := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "before"))
				watcher.events(t, 1) // the hub has seen it

				c := connect(t, in.url, w.members[0], "")
				if c.opened.ID < before[0].ID {
					t.Fatalf("a first connection starts at id %d, before the event %d it will not send", c.opened.ID, before[0].ID)
				}
				c.quiet(t, 100*time.Millisecond)
				c.close()
				missed := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "missed"))
				again := connect(t, in.url, w.members[0], strconv.FormatInt(c.opened.ID, 10))
				if got := ids(again.events(t, 1)); !slices.Equal(got, eventIDs(missed)) {
					t.Fatalf("resuming from the first block's id: got %v, want %v", got, eventIDs(missed))
				}
				if again.opened.ID != 0 {
					t.Fatalf("a resumed stream opened with id %d", again.opened.ID)
				}
				again.quiet(t, 100*time.Millisecond)
			})
		})
	}
}
