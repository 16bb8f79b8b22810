package push_test

import (
	"slices"
	"testing"

	"qrcircles"

	"qrcircles/resource/push"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestEventScopes: each event type goes to tokens with the scope of its content, and a type
// nobody listed goes to no token.
func TestEventScopes(t *testing.T) {
	for _, tt := range []struct {
		typ, scope string
	}{
		{qrcircles.EventCardUpdated, "cards:read"}, {qrcircles.EventCardDelivered, "cards:read"}, {qrcircles.EventCardRequested, "cards:read"},
		{qrcircles.EventCardRequestDecided, "cards:read"},
		{qrcircles.EventMemberJoined, "circles:read"}, {qrcircles.EventMemberLeft, "circles:read"}, {qrcircles.EventRequestCreated, "circles:read"},
		{qrcircles.EventRequestDecided, "circles:read"}, {qrcircles.EventCircleUpdated, "circles:read"}, {qrcircles.EventCircleCreated, "circles:read"},
		{qrcircles.EventMessageCreated, "messages:read"}, {qrcircles.EventAnnouncementCreated, "messages:read"},
		{"payment.received", ""},
	} {
		if got := push.ScopeOf(tt.typ); got != tt.scope {
			t.Errorf("ScopeOf(%s) = %q, want %q", tt.typ, got, tt.scope)
		}
		for _, s := range push.StreamScopes {
			if got := push.Covered(func(x string) bool { return x == s })(tt.typ); got != (s == tt.scope) {
				t.Errorf("a token with %s receives %s: %v", s, tt.typ, got)
			}
		}
		if tt.scope != "" && !slices.Contains(push.StreamScopes, tt.scope) {
			t.Errorf("%s needs %s, which does not open the stream", tt.typ, tt.scope)
		}
	}
}

// TestOnlyLimitsLiveAndReplayedEvents: a stream limited with Only gets only those types,
// live and replayed after Last-Event-ID, in both ways a stream is written; an unlimited one
// on the same user gets everything.
func TestOnlyLimitsLiveAndReplayedEvents(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
				w := newWorld(t, db, 1)
				in := startInstance(t, db, m.opts)
				member := w.members[0]
				cards := connect(t, in.url, member, "", qrcircles.EventCardUpdated)
				all := connect(t, in.url, member, "")
				card1 := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "1"))[0]
				msg := in.appendEvents(t, storage.Event{RecipientID: member, Type: qrcircles.EventMessageCreated, Payload: []byte(`{"body":"hi"}`)})[0]
				card2 := in.appendEvents(t, cardUpdated(t, w.circle, w.org, "2"))[0]
				if got := ids(all.events(t, 3)); !slices.Equal(got, []int64{card1.ID, msg.ID, card2.ID}) {
					t.Fatalf("unlimited stream: %v", got)
				}
				if got := ids(cards.events(t, 2)); !slices.Equal(got, []int64{card1.ID, card2.ID}) {
					t.Fatalf("live, cards only: %v", got)
				}
				again := connect(t, in.url, member, "0", qrcircles.EventCardUpdated, qrcircles.EventMemberJoined)
				if got := ids(again.events(t, 2)); !slices.Equal(got, []int64{card1.ID, card2.ID}) {
					t.Fatalf("replayed, cards only: %v", got)
				}
				// The next event this stream may have comes next: nothing else came between.
				card3 := in.appendEvents(t, storage.Event{RecipientID: member, Type: qrcircles.EventMessageCreated},
					cardUpdated(t, w.circle, w.org, "3"))[1]
				if got := again.events(t, 1); got[0].ID != card3.ID {
					t.Fatalf("after the replay: %+v, want card.updated %d", got, card3.ID)
				}
			})
		})
	}
}
