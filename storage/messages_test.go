package storage_test

import (
	"fmt"
	"testing"
	"time"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

func TestAnnouncementsNewestFirstPaginated(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org := w.user(1)
		c1, c2 := w.circle(org), w.circle(org)
		var ids []int64
		for i := range 5 {
			a := &storage.Announcement{CircleID: c1, AuthorID: org, Body: fmt.Sprint("a", i), CreatedAt: w.now}
			if err := db.PostAnnouncement(w.ctx, a); err != nil || a.ID == 0 {
				t.Fatalf("post: %+v %v", a, err)
			}
			ids = append(ids, a.ID)
		}
		if err := db.PostAnnouncement(w.ctx, &storage.Announcement{CircleID: c2, AuthorID: org, Body: "other", CreatedAt: w.now}); err != nil {
			t.Fatal(err)
		}
		page, err := db.Announcements(w.ctx, c1, 0, 3)
		if err != nil || len(page) != 3 || page[0].ID != ids[4] || page[2].ID != ids[2] || page[0].Body != "a4" {
			t.Fatalf("first page: %+v %v", page, err)
		}
		if !page[0].CreatedAt.Equal(w.now) || page[0].CreatedAt.Location() != time.UTC {
			t.Errorf("created_at %v, want %v UTC", page[0].CreatedAt, w.now)
		}
		page, err = db.Announcements(w.ctx, c1, page[2].ID, 3)
		if err != nil || len(page) != 2 || page[0].ID != ids[1] || page[1].ID != ids[0] {
			t.Fatalf("second page: %+v %v", page, err)
		}
	})
}

func TestMessagesConversationAndReadMarks(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		a, b, c := w.user(1), w.user(2), w.user(3)
		send := func(from, to int64, body string) int64 {
			t.Helper()
			w.now = w.now.Add(time.Second)
			m := &storage.Message{FromID: from, ToID: to, Body: body, CreatedAt: w.now}
			if err := db.SendMessage(w.ctx, m); err != nil || m.ID == 0 {
				t.Fatalf("send: %+v %v", m, err)
			}
			return m.ID
		}
		m1, m2, _, m4 := send(a, b, "hi b"), send(b, a, "hi a"), send(c, a, "from c"), send(a, b, "again")
		msgs, err := db.Messages(w.ctx, b, a, 0, 10)
		if err != nil || len(msgs) != 3 || msgs[0].ID != m4 || msgs[1].ID != m2 || msgs[2].ID != m1 {
			t.Fatalf("conversation a-b: %+v %v", msgs, err)
		}
		if msgs, _ = db.Messages(w.ctx, a, b, m2, 10); len(msgs) != 1 || msgs[0].ID != m1 {
			t.Fatalf("before %d: %+v", m2, msgs)
		}
		convs, err := db.Conversations(w.ctx, a, 0, 10)
		if err != nil || len(convs) != 2 {
			t.Fatalf("conversations: %+v %v", convs, err)
		}
		if convs[0].With != b || convs[0].Last.ID != m4 || convs[0].Unread != 1 || convs[1].With != c || convs[1].Unread != 1 {
			t.Fatalf("conversations of a: %+v", convs)
		}
		if convs, _ = db.Conversations(w.ctx, a, m4, 10); len(convs) != 1 || convs[0].With != c {
			t.Fatalf("conversations before %d: %+v", m4, convs)
		}
		if convs, _ = db.Conversations(w.ctx, b, 0, 10); len(convs) != 1 || convs[0].With != a || convs[0].Unread != 2 {
			t.Fatalf("conversations of b: %+v", convs)
		}
		if err := db.MarkRead(w.ctx, b, a, m1, w.now); err != nil {
			t.Fatal(err)
		}
		if convs, _ = db.Conversations(w.ctx, b, 0, 10); convs[0].Unread != 1 {
			t.Fatalf("after reading through %d: %+v", m1, convs)
		}
		msgs, _ = db.Messages(w.ctx, a, b, 0, 10)
		if msgs[2].ReadAt == nil || !msgs[2].ReadAt.Equal(w.now) || msgs[0].ReadAt != nil || msgs[1].ReadAt != nil {
			t.Fatalf("read marks: %+v", msgs)
		}
		if n, err := db.UnreadCount(w.ctx, b); err != nil || n != 1 {
			t.Fatalf("unread of b: %d %v, want 1", n, err)
		}
		if n, err := db.UnreadCount(w.ctx, a); err != nil || n != 2 {
			t.Fatalf("unread of a: %d %v, want 2 (from b and c)", n, err)
		}
		us, err := db.Users(w.ctx, []int64{a, c, 999999})
		if err != nil || len(us) != 2 || us[0].ID+us[1].ID != a+c {
			t.Fatalf("users a, c and a missing one: %+v %v", us, err)
		}
	})
}

func TestMuteRoundTrip(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org, m := w.user(1), w.user(2)
		c1, c2 := w.circle(org, m), w.circle(org, m)
		muted := func(c int64) bool {
			t.Helper()
			got, err := db.Muted(w.ctx, m, c)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if muted(c1) {
			t.Fatal("muted before muting")
		}
		for range 2 { // muting twice is fine
			if err := db.Mute(w.ctx, m, c1, w.now); err != nil {
				t.Fatal(err)
			}
		}
		if !muted(c1) || muted(c2) {
			t.Fatalf("after mute: c1 %v c2 %v", muted(c1), muted(c2))
		}
		if ok, _ := db.Muted(w.ctx, org, c1); ok {
			t.Fatal("a mute is one person's")
		}
		ms, err := db.Mutes(w.ctx, m)
		if err != nil || len(ms) != 1 || ms[0].CircleID != c1 || !ms[0].CreatedAt.Equal(w.now) {
			t.Fatalf("mutes: %+v %v", ms, err)
		}
		for range 2 { // unmuting twice is fine
			if err := db.Unmute(w.ctx, m, c1); err != nil {
				t.Fatal(err)
			}
		}
		if muted(c1) {
			t.Fatal("still muted")
		}
		if ms, _ = db.Mutes(w.ctx, m); len(ms) != 0 {
			t.Fatalf("mutes after unmute: %+v", ms)
		}
	})
}
