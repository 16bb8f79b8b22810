package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// eventWorld is an organizer, a member and an outsider, and one circle.
type eventWorld struct {
	org, member, outsider int64
	circle                int64
}

func newEventWorld(t *testing.T, db *storage.DB) eventWorld {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	var ids [3]int64
	for i := range ids {
		u, _, err := db.EnsureUser(ctx, fmt.Sprintf("+861390000000%d", i), now)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
	}
	c := storage.Circle{Code: "evcircle", OwnerID: ids[0], Title: "events", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateCircle(ctx, &c, nil); err != nil {
		t.Fatal(err)
	}
	// The circles service writes a circle's circle.created; the tests start after one.
	created := storage.Event{CircleID: c.ID, SubjectID: ids[0], Type: "circle.created"}
	if err := db.InTx(ctx, func(ctx context.Context) error { return db.AppendEvents(ctx, created) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm().Exec(`INSERT INTO memberships (circle_id, user_id, joined_at) VALUES (?, ?, ?)`, c.ID, ids[1], now).Error; err != nil {
		t.Fatal(err)
	}
	return eventWorld{org: ids[0], member: ids[1], outsider: ids[2], circle: c.ID}
}

func eventIDs(evs []storage.Event) []int64 {
	var ids []int64
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	return ids
}

func TestEventLogAppendReplayAndPrune(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newEventWorld(t, db)
		evs := []storage.Event{
			{CircleID: w.circle, SubjectID: w.member, Type: "card.updated", Payload: []byte(`{"name":"A"}`)},
			{RecipientID: w.org, Type: "request.created", Payload: []byte(`{"request_id":1}`)},
			{RecipientID: w.outsider, Type: "card.delivered"},
		}
		start, err := db.LastEventID(ctx) // the setup's circle.created
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(ctx context.Context) error { return db.AppendEvents(ctx, evs...) })
		if err != nil {
			t.Fatal(err)
		}
		if evs[0].ID == 0 || evs[1].ID <= evs[0].ID || evs[2].ID <= evs[1].ID {
			t.Fatalf("IDs not set in order: %v", eventIDs(evs))
		}
		last, err := db.LastEventID(ctx)
		if err != nil || last != evs[2].ID {
			t.Fatalf("last event %d %v, want %d", last, err, evs[2].ID)
		}
		all, err := db.EventsAfter(ctx, start, 10)
		if err != nil || !slices.Equal(eventIDs(all), eventIDs(evs)) {
			t.Fatalf("EventsAfter: %v %v", eventIDs(all), err)
		}
		if string(all[0].Payload) != `{"name":"A"}` || all[0].SubjectID != w.member || all[0].CircleID != w.circle || all[1].RecipientID != w.org {
			t.Fatalf("stored event differs: %+v", all[:2])
		}
		if all[2].Type != "card.delivered" || string(all[2].Payload) != "{}" {
			t.Fatalf("empty payload not stored as {}: %+v", all[2])
		}
		for _, tc := range []struct {
			name    string
			user    int64
			after   int64
			through int64
			want    []int64
		}{
			{"organizer gets the circle and their own", w.org, start, last, []int64{evs[0].ID, evs[1].ID}},
			{"member gets the circle only", w.member, start, last, []int64{evs[0].ID}},
			{"outsider gets their own only", w.outsider, start, last, []int64{evs[2].ID}},
			{"after excludes", w.org, evs[0].ID, last, []int64{evs[1].ID}},
			{"through caps", w.org, start, evs[0].ID, []int64{evs[0].ID}},
		} {
			got, err := db.EventsForUser(ctx, tc.user, tc.after, tc.through, 10)
			if err != nil || !slices.Equal(eventIDs(got), tc.want) {
				t.Errorf("%s: got %v %v, want %v", tc.name, eventIDs(got), err, tc.want)
			}
		}
		circles, err := db.EventCircles(ctx, w.org)
		if err != nil || !slices.Equal(circles, []int64{w.circle}) {
			t.Fatalf("EventCircles(org) = %v %v", circles, err)
		}
		audience, err := db.CircleAudience(ctx, w.circle)
		slices.Sort(audience)
		if err != nil || !slices.Equal(audience, []int64{w.org, w.member}) {
			t.Fatalf("CircleAudience = %v %v", audience, err)
		}
		n, err := db.DeleteEventsBefore(ctx, time.Now().Add(time.Minute))
		if err != nil || n != 3+start {
			t.Fatalf("deleted %d %v, want %d", n, err, 3+start)
		}
	})
}

func TestEventLogRollbackAndValidation(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newEventWorld(t, db)
		boom := errors.New("boom")
		last0, err := db.LastEventID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(ctx context.Context) error {
			if err := db.AppendEvents(ctx, storage.Event{CircleID: w.circle, Type: "circle.updated"}); err != nil {
				return err
			}
			if err := db.NotifyEvents(ctx); err == nil {
				t.Error("NotifyEvents inside a transaction was accepted")
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if evs, err := db.EventsAfter(ctx, last0, 10); err != nil || len(evs) != 0 {
			t.Fatalf("a rolled-back event is in the log: %v %v", evs, err)
		}
		if err := db.NotifyEvents(ctx); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []storage.Event{
			{Type: "card.updated"},
			{RecipientID: 1, CircleID: 1, Type: "card.updated"},
			{RecipientID: 1},
			{RecipientID: 1, Type: "x", Payload: []byte("{not json")},
		} {
			if err := db.AppendEvents(ctx, bad); err == nil {
				t.Errorf("AppendEvents(%+v) accepted", bad)
			}
		}
		prev, _ := db.LastEventID(ctx)
		before := time.Now()
		if err := db.AppendEvents(ctx, storage.Event{RecipientID: w.member, Type: "card.requested"}); err != nil {
			t.Fatal(err)
		}
		if id, err := db.EventIDBefore(ctx, before); err != nil || id != prev {
			t.Fatalf("EventIDBefore(before any) = %d %v", id, err)
		}
		if id, err := db.EventIDBefore(ctx, time.Now().Add(time.Second)); err != nil || id == 0 {
			t.Fatalf("EventIDBefore(now) = %d %v", id, err)
		}
	})
}

func TestEventListenerIsPostgresOnly(t *testing.T) {
	if _, err := storagetest.SQLite(t).ListenEvents(context.Background()); !errors.Is(err, storage.ErrNoListen) {
		t.Fatalf("SQLite ListenEvents: %v", err)
	}
	db := storagetest.Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := db.ListenEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := db.NotifyEvents(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx); err != nil {
		t.Fatalf("no notification: %v", err)
	}
}

// TestEventBoundsFollowTheCleanup: the cleanup records the highest ID it deleted, never
// lowers it, and counts an event deleted out of ID order (an earlier ID written later).
func TestEventBoundsFollowTheCleanup(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newEventWorld(t, db)
		bounds := func(want storage.EventBounds) {
			t.Helper()
			if got, err := db.EventBounds(ctx); err != nil || got != want {
				t.Fatalf("EventBounds = %+v %v, want %+v", got, err, want)
			}
		}
		start, err := db.LastEventID(ctx) // the setup's circle.created
		if err != nil || start == 0 {
			t.Fatalf("the setup wrote no event: %d %v", start, err)
		}
		bounds(storage.EventBounds{Oldest: 1, Newest: start})

		now := time.Now().UTC()
		at := []time.Time{now.Add(-3 * time.Hour), now.Add(-time.Hour), now.Add(-4 * time.Hour), now}
		evs := make([]storage.Event, len(at))
		for i, a := range at {
			evs[i] = storage.Event{RecipientID: w.member, Type: "card.delivered", CreatedAt: a}
		}
		if err := db.AppendEvents(ctx, evs...); err != nil {
			t.Fatal(err)
		}
		// Two hours back: the first and the third go, the second stays.
		if n, err := db.DeleteEventsBefore(ctx, now.Add(-2*time.Hour)); err != nil || n != 2 {
			t.Fatalf("deleted %d %v, want 2", n, err)
		}
		bounds(storage.EventBounds{Oldest: 1, Newest: evs[3].ID, Pruned: evs[2].ID})
		// A cleanup that deletes less (another instance's, with an older clock) keeps it.
		if n, err := db.DeleteEventsBefore(ctx, now.Add(-5*time.Hour)); err != nil || n != 0 {
			t.Fatalf("deleted %d %v, want 0", n, err)
		}
		bounds(storage.EventBounds{Oldest: 1, Newest: evs[3].ID, Pruned: evs[2].ID})
		if n, err := db.DeleteEventsBefore(ctx, now.Add(time.Minute)); err != nil || n != 3 {
			t.Fatalf("deleted %d %v, want the rest (3)", n, err)
		}
		bounds(storage.EventBounds{Oldest: evs[3].ID + 1, Newest: evs[3].ID, Pruned: evs[3].ID})
		if err := db.AppendEvents(ctx, storage.Event{RecipientID: w.member, Type: "card.delivered"}); err != nil {
			t.Fatal(err)
		}
		bounds(storage.EventBounds{Oldest: evs[3].ID + 1, Newest: evs[3].ID + 1, Pruned: evs[3].ID})
	})
}
