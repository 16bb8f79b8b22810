package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"qrcircles/resource/cards"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// cardWorld is a few users and circles to test cards against.
type cardWorld struct {
	t   *testing.T
	db  *storage.DB
	ctx context.Context
	now time.Time
}

func newCardWorld(t *testing.T, db *storage.DB) *cardWorld {
	return &cardWorld{t: t, db: db, ctx: context.Background(), now: time.Now().UTC().Truncate(time.Second)}
}

func (w *cardWorld) user(n int) int64 {
	w.t.Helper()
	u, _, err := w.db.EnsureUser(w.ctx, fmt.Sprintf("+861380013%04d", n), w.now)
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}

func (w *cardWorld) circle(owner int64, members ...int64) int64 {
	w.t.Helper()
	c := &storage.Circle{Code: fmt.Sprintf("code%d-%d", owner, w.now.UnixNano()), OwnerID: owner, Title: "Expo", TimeZone: "UTC",
		CreatedAt: w.now, UpdatedAt: w.now}
	if err := w.db.CreateCircle(w.ctx, c, nil); err != nil {
		w.t.Fatal(err)
	}
	w.now = w.now.Add(time.Second)
	for _, m := range members {
		w.join(c.ID, m)
	}
	return c.ID
}

func (w *cardWorld) join(circleID, userID int64) {
	w.t.Helper()
	c, err := w.db.Circle(w.ctx, circleID)
	if err != nil {
		w.t.Fatal(err)
	}
	u, err := w.db.User(w.ctx, userID)
	if err != nil {
		w.t.Fatal(err)
	}
	if out, err := join(w.ctx, w.db, c, u, w.now, storage.RequestAdmitted); err != nil || !out.Member {
		w.t.Fatalf("join: %+v %v", out, err)
	}
}

func TestCardsStoreAndRead(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		a := w.user(1)
		if _, err := db.Card(w.ctx, a); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("no card yet: %v", err)
		}
		c := cards.Card{DisplayName: "Li Lei", Title: "CTO", Phones: []string{"+8613800138000", "+14155550100"}, Emails: []string{"l@x.cn"}, Note: "a\nb"}
		for _, name := range []string{"First", "Li Lei"} {
			c.DisplayName = name
			if err := db.PutCard(w.ctx, a, c, w.now); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Card(w.ctx, a)
		if err != nil || got.DisplayName != "Li Lei" || len(got.Phones) != 2 || got.Emails[0] != "l@x.cn" || got.Note != "a\nb" || got.HasAvatar {
			t.Fatalf("%+v %v", got, err)
		}
		if u, _ := db.User(w.ctx, a); u.DisplayName != "Li Lei" {
			t.Fatalf("user's display name %q", u.DisplayName)
		}
		if err := db.PutAvatar(w.ctx, storage.Avatar{UserID: a, ContentType: "image/png", Data: []byte{1, 2}, UpdatedAt: w.now}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Card(w.ctx, a); !got.HasAvatar {
			t.Fatal("card does not know its avatar")
		}
		av, err := db.Avatar(w.ctx, a)
		if err != nil || av.ContentType != "image/png" || len(av.Data) != 2 {
			t.Fatalf("%+v %v", av, err)
		}
		if _, err := db.Avatar(w.ctx, a+1); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing avatar: %v", err)
		}
	})
}

func TestCardVisibilityDefaultAppliesToCirclesJoinedLater(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org, a := w.user(1), w.user(2)
		early := w.circle(org, a)
		s, err := db.CardSettings(w.ctx, a)
		if err != nil || s.Default != cards.Basic || s.ForCircle(early) != cards.Basic {
			t.Fatalf("new user: %+v %v", s, err)
		}
		if err := db.SetCardDefault(w.ctx, a, cards.All, w.now); err != nil {
			t.Fatal(err)
		}
		late := w.circle(org, a)
		s, _ = db.CardSettings(w.ctx, a)
		if s.ForCircle(early) != cards.Basic || s.ForCircle(late) != cards.All {
			t.Fatalf("early %v late %v: the new default must apply only to circles joined later", s.ForCircle(early), s.ForCircle(late))
		}
		phones := cards.FieldSet(cards.DisplayName | cards.Phones)
		if err := db.SetCircleVisibility(w.ctx, a, late, phones, w.now); err != nil {
			t.Fatal(err)
		}
		cc, err := db.CircleCards(w.ctx, late)
		if err != nil || len(cc) != 1 || cc[0].UserID != a || cc[0].Settings.ForCircle(late) != phones {
			t.Fatalf("%+v %v", cc, err)
		}
		if err := db.ResetCircleVisibility(w.ctx, a, late); err != nil {
			t.Fatal(err)
		}
		if s, _ = db.CardSettings(w.ctx, a); s.ForCircle(late) != cards.All {
			t.Fatalf("after reset %v", s.ForCircle(late))
		}
	})
}

func TestCardFactsAndSharedCircles(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org, a, b, x := w.user(1), w.user(2), w.user(3), w.user(4)
		c := w.circle(org, a, b)
		w.circle(x)
		f, err := db.CardFacts(w.ctx, a, org, c)
		want := cards.Facts{OwnerID: a, ViewerID: org, CircleID: c, OwnerIsMember: true, ViewerOrganizes: true}
		if err != nil || f != want {
			t.Fatalf("organizer facts %+v %v", f, err)
		}
		if err := db.AddContact(w.ctx, x, a, w.now); err != nil {
			t.Fatal(err)
		}
		f, _ = db.CardFacts(w.ctx, a, x, c)
		if !f.ViewerHoldsOwner || f.ViewerIsMember || f.ViewerOrganizes {
			t.Fatalf("contact facts %+v", f)
		}
		for _, tt := range []struct {
			p, q int64
			want bool
		}{{a, b, true}, {b, a, true}, {org, a, true}, {a, org, true}, {a, x, false}, {org, x, false}} {
			if got, err := db.SharesCircle(w.ctx, tt.p, tt.q); err != nil || got != tt.want {
				t.Errorf("SharesCircle(%d, %d) = %v, %v", tt.p, tt.q, got, err)
			}
		}
		cc, err := db.CircleCards(w.ctx, c)
		if err != nil || len(cc) != 2 || cc[0].Card.DisplayName != "" || cc[0].Settings.Default != cards.Basic {
			t.Fatalf("members without cards: %+v %v", cc, err)
		}
		ids, err := db.MemberCircleIDs(w.ctx, a)
		if err != nil || len(ids) != 1 || ids[0] != c {
			t.Fatalf("%v %v", ids, err)
		}
	})
}

func TestContactsAndCardRequests(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		a, b := w.user(1), w.user(2)
		if err := db.PutCard(w.ctx, b, cards.Card{DisplayName: "Bo", Note: "v1"}, w.now); err != nil {
			t.Fatal(err)
		}
		q, created, err := db.CreateCardRequest(w.ctx, a, b, storage.CardAsk, w.now)
		if err != nil || !created || q.Status != storage.CardWaiting {
			t.Fatalf("%+v %v %v", q, created, err)
		}
		again, created, err := db.CreateCardRequest(w.ctx, a, b, storage.CardAsk, w.now)
		if err != nil || created || again.ID != q.ID {
			t.Fatalf("asking twice: %+v %v %v", again, created, err)
		}
		in, out, err := db.CardRequestsOf(w.ctx, b, storage.CardWaiting)
		if err != nil || len(in) != 1 || len(out) != 0 {
			t.Fatalf("%v %v %v", in, out, err)
		}
		if _, err := db.DecideCardRequest(w.ctx, q.ID, a, true, w.now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("the asker cannot accept: %v", err)
		}
		if _, err := db.DecideCardRequest(w.ctx, q.ID, b, true, w.now); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideCardRequest(w.ctx, q.ID, b, false, w.now); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("deciding twice: %v", err)
		}
		if holds, _ := db.HoldsContact(w.ctx, a, b); !holds {
			t.Fatal("accepting a request gives the asker the card")
		}
		if holds, _ := db.HoldsContact(w.ctx, b, a); holds {
			t.Fatal("accepting a request gave the card the other way")
		}
		if err := db.PutCard(w.ctx, b, cards.Card{DisplayName: "Bo", Note: "v2"}, w.now); err != nil {
			t.Fatal(err)
		}
		cs, err := db.Contacts(w.ctx, a, 0)
		if err != nil || len(cs) != 1 || cs[0].UserID != b || cs[0].Card.Note != "v2" {
			t.Fatalf("contact's card is not the current one: %+v %v", cs, err)
		}
		if holders, _ := db.ContactHolders(w.ctx, b); len(holders) != 1 || holders[0] != a {
			t.Fatalf("holders %v", holders)
		}
		d, _, _ := db.CreateCardRequest(w.ctx, a, b, storage.CardDeliver, w.now)
		if q, err := db.DecideCardRequest(w.ctx, d.ID, b, false, w.now); err != nil || q.Status != storage.CardDeclined {
			t.Fatalf("%+v %v", q, err)
		}
		if holds, _ := db.HoldsContact(w.ctx, b, a); holds {
			t.Fatal("a declined delivery made a contact")
		}
		if err := db.RemoveContact(w.ctx, a, b); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveContact(w.ctx, a, b); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("removing twice: %v", err)
		}
	})
}

func TestCardUserPrivacy(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		a := w.user(1)
		if p, err := db.PrivacyOf(w.ctx, a); err != nil || p.RefuseStrangerCards {
			t.Fatalf("%+v %v", p, err)
		}
		for _, refuse := range []bool{true, false, true} {
			if err := db.PutPrivacy(w.ctx, storage.UserPrivacy{UserID: a, RefuseStrangerCards: refuse, UpdatedAt: w.now}); err != nil {
				t.Fatal(err)
			}
			if p, _ := db.PrivacyOf(w.ctx, a); p.RefuseStrangerCards != refuse {
				t.Fatalf("refuse = %v, want %v", p.RefuseStrangerCards, refuse)
			}
		}
	})
}
