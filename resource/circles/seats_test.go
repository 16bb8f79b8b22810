package circles_test

import (
	"testing"

	"qrcircles"
	"qrcircles/resource/circles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestCapFollowsLeavesAndCapChanges: a capped circle's seats follow its members and its
// cap — a member who leaves frees a seat, a raised cap admits the waiting, a lowered cap
// keeps the members and admits nobody new, no cap admits everyone.
func TestCapFollowsLeavesAndCapChanges(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		w := newJoinWorld(t, db)
		c := w.circle("seats", qrcircles.Rules{Mode: qrcircles.ModeOpen, Cap: 2}, nil)
		p := w.users(8)
		expect := func(what string, u storage.User, member bool) {
			t.Helper()
			if out := w.join(c, u); out.Member != member {
				t.Fatalf("%s: member %v (%s %v), want %v", what, out.Member, out.Request.Status, out.Request.Reasons, member)
			}
		}
		setCap := func(n int) {
			t.Helper()
			var err error
			if c, _, err = w.svc.Update(w.ctx, w.org.ID, c.ID, circles.Input{Cap: &n}); err != nil {
				t.Fatal(err)
			}
		}
		count := func(want int) {
			t.Helper()
			if n, err := db.MemberCount(w.ctx, c.ID); err != nil || n != want {
				t.Fatalf("%d members (%v), want %d", n, err, want)
			}
		}

		expect("first of two seats", p[0], true)
		expect("second of two seats", p[1], true)
		expect("past the cap", p[2], false)
		if err := w.svc.Leave(w.ctx, p[0].ID, c.ID); err != nil {
			t.Fatal(err)
		}
		expect("the seat of one who left", p[3], true)
		expect("past the cap again", p[4], false)

		setCap(4) // admits the two waiting: p[2] and p[4]
		count(4)
		expect("past the raised cap", p[5], false)

		setCap(1)
		count(4)
		if err := w.svc.Leave(w.ctx, p[1].ID, c.ID); err != nil {
			t.Fatal(err)
		}
		expect("below the members, above the lowered cap", p[6], false)

		setCap(0) // everyone waiting gets in
		expect("no cap", p[7], true)
		count(3 + 3)
	})
}
