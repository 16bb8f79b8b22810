package messages

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"qrcircles/resource/cardapi"
	"qrcircles/resource/push"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

type announcementsPage struct {
	Announcements []announcementJSON `json:"announcements"`
	Next          *int64             `json:"next_before_id"`
}

type messagesPage struct {
	Messages []messageJSON `json:"messages"`
	Next     *int64        `json:"next_before_id"`
}

func TestAnnouncementsOrganizerPostsMembersRead(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		x := newHarness(t, db)
		org, orgTok := x.user()
		m, mTok := x.user()
		_, outTok := x.user()
		c := x.circle(org, m)
		path := "/api/v1/circles/" + itoa(c) + "/announcements"

		a := decode[announcementJSON](t, x.must(x.do(orgTok, "POST", path, body("Doors open at 9")), 201))
		if a.ID == 0 || a.CircleID != c || a.AuthorID != org || a.Body != "Doors open at 9" {
			t.Fatalf("posted %+v", a)
		}
		evs := x.ev.take()
		if len(evs) != 1 || evs[0].Type != "announcement.created" || evs[0].CircleID != c || len(evs[0].UserIDs) != 0 ||
			evs[0].Subject != org || evs[0].Data["announcement_id"] != a.ID || evs[0].Data["body"] != a.Body {
			t.Fatalf("events %+v", evs)
		}

		if b := x.problem(x.do(mTok, "POST", path, body("me too")), 403); !strings.Contains(b.Detail, "organizer") {
			t.Errorf("member posting: %+v", b)
		}
		x.problem(x.do(outTok, "POST", path, body("spam")), 403)
		x.problem(x.do(x.token(org, ScopeRead, ScopeWrite), "POST", path, body("no manage scope")), 403)
		if evs := x.ev.take(); len(evs) != 0 {
			t.Fatalf("refused posts recorded events: %+v", evs)
		}

		for _, tok := range []string{orgTok, mTok} {
			got := decode[announcementsPage](t, x.must(x.do(tok, "GET", path, nil), 200))
			if len(got.Announcements) != 1 || got.Announcements[0] != a || got.Next != nil {
				t.Fatalf("read: %+v", got)
			}
		}
		x.problem(x.do(outTok, "GET", path, nil), 403)
		x.problem(x.do(orgTok, "GET", "/api/v1/circles/999999/announcements", nil), 404)
		x.problem(x.do(orgTok, "POST", "/api/v1/circles/999999/announcements", body("x")), 404)
		x.problem(x.do("", "GET", path, nil), 401)
	})
}

func TestAnnouncementsPaginateNewestFirst(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		x := newHarness(t, db)
		org, orgTok := x.user()
		c := x.circle(org)
		path := "/api/v1/circles/" + itoa(c) + "/announcements"
		for _, s := range []string{"one", "two", "three"} {
			x.must(x.do(orgTok, "POST", path, body(s)), 201)
		}
		first := decode[announcementsPage](t, x.must(x.do(orgTok, "GET", path+"?limit=2", nil), 200))
		if len(first.Announcements) != 2 || first.Announcements[0].Body != "three" || first.Next == nil || *first.Next != first.Announcements[1].ID {
			t.Fatalf("first page %+v", first)
		}
		rest := decode[announcementsPage](t, x.must(x.do(orgTok, "GET", path+"?limit=2&before_id="+itoa(*first.Next), nil), 200))
		if len(rest.Announcements) != 1 || rest.Announcements[0].Body != "one" || rest.Next != nil {
			t.Fatalf("second page %+v", rest)
		}
		if b := x.problem(x.do(orgTok, "GET", path+"?limit=500", nil), 400); b.Field != "limit" {
			t.Errorf("bad limit names %q", b.Field)
		}
	})
}

func TestMessageBetweenMembers(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		x := newHarness(t, db)
		org, _ := x.user()
		a, aTok := x.user()
		b, bTok := x.user()
		x.circle(org, a, b)

		sent := decode[messageJSON](t, x.must(x.do(aTok, "POST", "/api/v1/users/"+itoa(b)+"/messages", body("hello\n\tB")), 201))
		if sent.ID == 0 || sent.FromID != a || sent.ToID != b || sent.Body != "hello\n\tB" || sent.ReadAt != "" {
			t.Fatalf("sent %+v", sent)
		}
		evs := x.ev.take()
		if len(evs) != 1 || evs[0].Type != "message.created" || evs[0].CircleID != 0 || !slices.Equal(evs[0].UserIDs, []int64{b}) ||
			evs[0].Subject != a || evs[0].Data["message_id"] != sent.ID {
			t.Fatalf("events %+v", evs)
		}
		x.must(x.do(bTok, "POST", "/api/v1/users/"+itoa(a)+"/messages", body("hi A")), 201)
		x.ev.take()

		type convs struct {
			Conversations []conversationJSON `json:"conversations"`
		}
		before := decode[convs](t, x.must(x.do(bTok, "GET", "/api/v1/me/conversations", nil), 200))
		if len(before.Conversations) != 1 || before.Conversations[0].With != a || before.Conversations[0].LastMessage.Body != "hi A" ||
			before.Conversations[0].Unread != 1 {
			t.Fatalf("b's conversations before reading: %+v", before)
		}
		got := decode[messagesPage](t, x.must(x.do(bTok, "GET", "/api/v1/users/"+itoa(a)+"/messages", nil), 200))
		if len(got.Messages) != 2 || got.Messages[0].Body != "hi A" || got.Messages[1].ID != sent.ID || got.Messages[1].ReadAt == "" ||
			got.Messages[0].ReadAt != "" {
			t.Fatalf("b reads: %+v", got)
		}
		after := decode[convs](t, x.must(x.do(bTok, "GET", "/api/v1/me/conversations", nil), 200))
		if after.Conversations[0].Unread != 0 {
			t.Fatalf("b's conversations after reading: %+v", after)
		}
		if b := x.problem(x.do(aTok, "POST", "/api/v1/users/"+itoa(a)+"/messages", body("me")), 400); b.Field != "uid" {
			t.Errorf("message to self: %+v", b)
		}
		x.problem(x.do(aTok, "POST", "/api/v1/users/999999/messages", body("?")), 404)
		x.problem(x.do(x.token(a, ScopeRead), "POST", "/api/v1/users/"+itoa(b)+"/messages", body("read-only token")), 403)
	})
}

const blockedWording = "This person does not accept messages from people who are not their contacts."

func TestMessageToStrangerWhoBlocksStrangers(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		x := newHarness(t, db)
		org, _ := x.user()
		a, aTok := x.user()
		b, bTok := x.user()
		x.circle(org, a, b)
		if err := db.PutPrivacy(x.ctx, storage.UserPrivacy{UserID: b, BlockStrangerMessages: true, UpdatedAt: x.now}); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/users/" + itoa(b) + "/messages"
		p := x.problem(x.do(aTok, "POST", path, body("hi")), 403)
		if p.Detail != blockedWording {
			t.Fatalf("refusal says %q", p.Detail)
		}
		if evs := x.ev.take(); len(evs) != 0 {
			t.Fatalf("refused message recorded events: %+v", evs)
		}
		if got := decode[messagesPage](t, x.must(x.do(bTok, "GET", "/api/v1/users/"+itoa(a)+"/messages", nil), 200)); len(got.Messages) != 0 {
			t.Fatalf("refused message stored: %+v", got)
		}
		// A holding b's card does not make A b's contact; b holding A's card does.
		if err := db.AddContact(x.ctx, a, b, x.now); err != nil {
			t.Fatal(err)
		}
		x.problem(x.do(aTok, "POST", path, body("hi")), 403)
		if err := db.AddContact(x.ctx, b, a, x.now); err != nil {
			t.Fatal(err)
		}
		x.must(x.do(aTok, "POST", path, body("hi, contact")), 201)
	})
}

func TestMessageReachNeedsCircleOrContact(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		x := newHarness(t, db)
		a, aTok := x.user()
		b, _ := x.user()
		path := "/api/v1/users/" + itoa(b) + "/messages"
		p := x.problem(x.do(aTok, "POST", path, body("hi")), 403)
		if p.Detail == blockedWording {
			t.Fatal("a stranger with no circle in common got the block wording")
		}
		if err := db.AddContact(x.ctx, b, a, x.now); err != nil { // b keeps A's card; no circle
			t.Fatal(err)
		}
		x.must(x.do(aTok, "POST", path, body("hi")), 201)
	})
}

func TestMessageLengthLimit(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		x := newHarness(t, db)
		org, orgTok := x.user()
		a, aTok := x.user()
		b, _ := x.user()
		c := x.circle(org, a, b)
		dm, ann := "/api/v1/users/"+itoa(b)+"/messages", "/api/v1/circles/"+itoa(c)+"/announcements"
		ok := strings.Repeat("界", MaxBody)
		x.must(x.do(aTok, "POST", dm, body(ok)), 201)
		x.must(x.do(orgTok, "POST", ann, body(ok)), 201)
		for name, bad := range map[string]any{
			"2001 characters": body(ok + "!"), "empty": body(""), "control character": body("a\x07b"),
			"missing": map[string]any{}, "not a string": map[string]any{"body": 5},
		} {
			for _, path := range []string{dm, ann} {
				tok := aTok
				if path == ann {
					tok = orgTok
				}
				if p := x.problem(x.do(tok, "POST", path, bad), 400); p.Field != "body" {
					t.Errorf("%s to %s: field %q, want body (%s)", name, path, p.Field, p.Detail)
				}
			}
		}
		if p := x.problem(x.do(aTok, "POST", dm, map[string]any{"body": "x", "to": 1}), 400); p.Field != "to" {
			t.Errorf("unknown field named %q", p.Field)
		}
		if evs := x.ev.take(); len(evs) != 2 {
			t.Fatalf("want the two accepted posts' events, got %+v", evs)
		}
	})
}

func TestMessageRolledBackWhenEventFails(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		x := newHarness(t, db)
		org, orgTok := x.user()
		a, aTok := x.user()
		b, bTok := x.user()
		c := x.circle(org, a, b)
		x.ev.fail = true
		x.must(x.do(aTok, "POST", "/api/v1/users/"+itoa(b)+"/messages", body("lost")), 500)
		x.must(x.do(orgTok, "POST", "/api/v1/circles/"+itoa(c)+"/announcements", body("lost")), 500)
		x.ev.fail = false
		if got := decode[messagesPage](t, x.must(x.do(bTok, "GET", "/api/v1/users/"+itoa(a)+"/messages", nil), 200)); len(got.Messages) != 0 {
			t.Fatalf("message kept without its event: %+v", got)
		}
		if got := decode[announcementsPage](t, x.must(x.do(bTok, "GET", "/api/v1/circles/"+itoa(c)+"/announcements", nil), 200)); len(got.Announcements) != 0 {
			t.Fatalf("announcement kept without its event: %+v", got)
		}
		if x.ev.notified != 0 {
			t.Fatalf("push woken %d times for rolled back posts", x.ev.notified)
		}
	})
}

func TestMuteRoundTripKeepsAnnouncementsReadable(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		x := newHarness(t, db)
		org, orgTok := x.user()
		m, mTok := x.user()
		other, _ := x.user()
		_, outTok := x.user()
		c := x.circle(org, m, other)
		mute, ann := "/api/v1/circles/"+itoa(c)+"/mute", "/api/v1/circles/"+itoa(c)+"/announcements"
		type mutes struct {
			Mutes []muteJSON `json:"mutes"`
		}

		x.must(x.do(mTok, "PUT", mute, nil), 200)
		x.must(x.do(mTok, "PUT", mute, nil), 200) // idempotent
		got := decode[mutes](t, x.must(x.do(mTok, "GET", "/api/v1/me/mutes", nil), 200))
		if len(got.Mutes) != 1 || got.Mutes[0].CircleID != c || got.Mutes[0].MutedAt == "" {
			t.Fatalf("mutes %+v", got)
		}
		if muted, err := db.Muted(x.ctx, m, c); err != nil || !muted {
			t.Fatalf("Muted = %v, %v", muted, err)
		}

		x.must(x.do(orgTok, "POST", ann, body("still readable")), 201)
		read := decode[announcementsPage](t, x.must(x.do(mTok, "GET", ann, nil), 200))
		if len(read.Announcements) != 1 || read.Announcements[0].Body != "still readable" {
			t.Fatalf("muted member reads %+v", read)
		}
		checkPushes(t, db, x.ev.take(), map[int64]bool{m: false, other: true, org: true})

		x.problem(x.do(outTok, "PUT", mute, nil), 403)
		x.problem(x.do(mTok, "PUT", "/api/v1/circles/999999/mute", nil), 404)

		x.must(x.do(mTok, "DELETE", mute, nil), 204)
		x.must(x.do(mTok, "DELETE", mute, nil), 204) // idempotent
		if got = decode[mutes](t, x.must(x.do(mTok, "GET", "/api/v1/me/mutes", nil), 200)); len(got.Mutes) != 0 {
			t.Fatalf("mutes after unmute %+v", got)
		}
		x.must(x.do(orgTok, "POST", ann, body("pushed again")), 201)
		checkPushes(t, db, x.ev.take(), map[int64]bool{m: true, other: true})
	})
}

// checkPushes runs the recorded announcement through MuteFilter, as the push hub will, and
// checks who gets it.
func checkPushes(t *testing.T, db *storage.DB, evs []cardapi.Event, want map[int64]bool) {
	t.Helper()
	if len(evs) != 1 || evs[0].Type != EventAnnouncementCreated {
		t.Fatalf("events %+v", evs)
	}
	ev, err := push.ToCircle(evs[0].CircleID, evs[0].Subject, evs[0].Type, evs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	filter := MuteFilter(db, nil)
	view := filter(context.Background(), ev)
	for user, pushed := range want {
		payload := view(user)
		if ok := payload != nil; ok != pushed {
			t.Errorf("user %d gets the announcement: %v, want %v", user, ok, pushed)
		}
		if payload != nil && !json.Valid(payload.Data) {
			t.Errorf("payload %q", payload.Data)
		}
	}
	// Every event of the circle is silenced; a direct message is not.
	dm, _ := push.ToUser(evs[0].Subject, 0, EventMessageCreated, map[string]any{})
	card, _ := push.ToCircle(evs[0].CircleID, evs[0].Subject, push.CardUpdated, map[string]any{})
	card.ID = ev.ID + 1
	dmView, cardView := filter(context.Background(), dm), filter(context.Background(), card)
	for user, pushed := range want {
		if dmView(user) == nil {
			t.Errorf("a direct message to %d was filtered", user)
		}
		if ok := cardView(user) != nil; ok != pushed {
			t.Errorf("card.updated to %d pushed: %v, want %v", user, ok, pushed)
		}
	}
}
