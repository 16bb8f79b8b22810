package push_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"qrcircles/resource/push"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// openShared opens the same PostgreSQL database n times, as n instances would.
func openShared(t *testing.T, n int) []*storage.DB {
	t.Helper()
	url := storagetest.NewPostgresDatabase(t)
	ctx := context.Background()
	var dbs []*storage.DB
	for range n {
		db, err := storage.Open(ctx, storage.Options{URL: url, MaxOpenConns: 10})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
	}
	return dbs
}

// TestPushAcrossInstances is the acceptance test: two instances on their own ports
// share one PostgreSQL; an edit through A reaches a stream on B; a client that missed three
// edits gets exactly those on reconnecting; and B survives losing its LISTEN connection.
func TestPushAcrossInstances(t *testing.T) {
	dbs := openShared(t, 2)
	w := newWorld(t, dbs[0], 1)
	a := startInstance(t, dbs[0], push.Options{})
	b := startInstance(t, dbs[1], push.Options{}) // Poll is an hour: only LISTEN wakes B
	member := w.members[0]
	waitFor(t, "B's LISTEN connection", func() bool { return b.hub.ListenPID() != 0 })

	c := connect(t, b.url, member, "")
	first := a.appendEvents(t, cardUpdated(t, w.circle, w.org, "v1"))[0]
	got := c.events(t, 1)[0]
	if got.ID != first.ID || got.Data != `{"name":"v1"}` {
		t.Fatalf("B's client got %+v, want event %d", got, first.ID)
	}
	c.close()

	var missed []int64
	for i := range 3 {
		missed = append(missed, a.appendEvents(t, cardUpdated(t, w.circle, w.org, "v"+strconv.Itoa(i+2)))[0].ID)
	}
	waitFor(t, "B to confirm the edits", func() bool { return b.hub.Confirmed() >= missed[2] })
	c = connect(t, b.url, member, strconv.FormatInt(got.ID, 10))
	if got := ids(c.events(t, 3)); !slices.Equal(got, missed) {
		t.Fatalf("after reconnecting got %v, want %v", got, missed)
	}
	c.quiet(t, 200*time.Millisecond)

	// Lose B's LISTEN connection; B reconnects and still hears A.
	old := b.hub.ListenPID()
	if err := dbs[0].Gorm().Exec(`SELECT pg_terminate_backend(?)`, old).Error; err != nil {
		t.Fatal(err)
	}
	during := a.appendEvents(t, cardUpdated(t, w.circle, w.org, "during"))[0]
	waitFor(t, "B's new LISTEN connection", func() bool { pid := b.hub.ListenPID(); return pid != 0 && pid != old })
	after := a.appendEvents(t, cardUpdated(t, w.circle, w.org, "after"))[0]
	if got := ids(c.events(t, 2)); !slices.Equal(got, []int64{during.ID, after.ID}) {
		t.Fatalf("around the lost connection got %v, want %v", got, []int64{during.ID, after.ID})
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", wait, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
