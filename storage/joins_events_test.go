package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/admission"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestRepeatedJoinsWriteOneEventEach: every join sent three times at once leaves one member,
// one request and exactly one event of each kind — on the one-statement path (a plain
// circle), the full path (an allowlist) and the exclusive path (a cap); for admitted people
// and for people who wait; and again when everyone left and rejoins (the request is then
// replaced, not inserted). Events come only from the statement that made the change.
func TestRepeatedJoinsWriteOneEventEach(t *testing.T) {
	const people, repeats = 300, 3
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newCardWorld(t, db)
		org := w.user(9999)
		users := make([]storage.User, people)
		for i := range users {
			u, _, err := db.EnsureUser(w.ctx, fmt.Sprintf("+861390000%04d", i), w.now)
			if err != nil {
				t.Fatal(err)
			}
			users[i] = u
		}
		// The even half is on the allowlist; the odd half waits in circles that have one.
		var listed []string
		for i := 0; i < people; i += 2 {
			listed = append(listed, users[i].Phone)
		}
		cases := []struct {
			name      string
			allowlist []string
			cap       int
			admitted  int
		}{
			{"plain", nil, 0, people},
			{"allowlist", listed, 0, people / 2},
			{"cap", nil, people * 2, people},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := storage.Circle{Code: "repeat-" + tc.name, OwnerID: org, Title: tc.name, TimeZone: "UTC",
					Rules: qrcircles.Rules{Cap: tc.cap}, CreatedAt: w.now, UpdatedAt: w.now}
				if err := db.CreateCircle(w.ctx, &c, tc.allowlist); err != nil {
					t.Fatal(err)
				}
				decide := func(st storage.JoinState) admission.Decision {
					if st.Circle.AllowlistSize > 0 && !st.Listed {
						return admission.Decision{Outcome: admission.Queue, Reasons: []admission.Reason{admission.ReasonNotInRange}}
					}
					return admission.Decision{Outcome: admission.Admit}
				}
				burst(t, db, c, users, repeats, w.now, decide)
				wantEvents(t, db, c, org, tc.admitted, people-tc.admitted, tc.admitted)
				members, err := db.Members(w.ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range members {
					if err := db.EndMembership(w.ctx, c.ID, m.UserID, storage.RequestLeft, w.now); err != nil {
						t.Fatal(err)
					}
				}
				burst(t, db, c, users, repeats, w.now, decide)
				wantEvents(t, db, c, org, tc.admitted, people-tc.admitted, 2*tc.admitted)
			})
		}
	})
}

// burst sends every person's join repeats times at once.
func burst(t *testing.T, db *storage.DB, c storage.Circle, users []storage.User, repeats int, now time.Time, decide storage.Decider) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(users)*repeats)
	sem := make(chan struct{}, 24) // bounded: more than the pool, so repeats collide
	for _, u := range users {
		for range repeats {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				if _, err := db.Join(context.Background(), c, u.ID, u.Phone, now, now, decide); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("join: %v", err)
	}
}

// wantEvents checks the members of c and the events written for it so far: one
// member.joined per admission (joined in all) and one request.created per waiting person.
func wantEvents(t *testing.T, db *storage.DB, c storage.Circle, org int64, admitted, waiting, joinedAll int) {
	t.Helper()
	ctx := context.Background()
	members, err := db.MemberCount(ctx, c.ID)
	if err != nil || members != admitted {
		t.Fatalf("members = %d %v, want %d", members, err, admitted)
	}
	evs, err := db.EventsAfter(ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	joined, created := map[int64]int{}, map[int64]int{}
	for _, e := range evs {
		switch {
		case e.Type == qrcircles.EventMemberJoined && e.CircleID == c.ID:
			joined[e.SubjectID]++
		case e.Type == qrcircles.EventRequestCreated && e.RecipientID == org && payloadCircle(t, e) == c.ID:
			created[e.SubjectID]++
		}
	}
	if n := sum(joined); n != joinedAll || len(joined) != admitted {
		t.Errorf("%d member.joined events for %d people, want %d for %d", n, len(joined), joinedAll, admitted)
	}
	if n := sum(created); n != waiting || len(created) != waiting {
		t.Errorf("%d request.created events for %d people, want %d", n, len(created), waiting)
	}
}

func sum(m map[int64]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func payloadCircle(t *testing.T, e storage.Event) int64 {
	t.Helper()
	var p struct {
		CircleID int64 `json:"circle_id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		t.Fatalf("event %d payload %s: %v", e.ID, e.Payload, err)
	}
	return p.CircleID
}
