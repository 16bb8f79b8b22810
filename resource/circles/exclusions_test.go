package circles_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/circles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

var exclusionNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newUser(t *testing.T, db *storage.DB, phone string) storage.User {
	t.Helper()
	u, _, err := db.EnsureUser(context.Background(), phone, exclusionNow)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func exclusionEntries(t *testing.T, db *storage.DB) []storage.AuditEntry {
	t.Helper()
	var all []storage.AuditEntry
	for _, action := range []string{qrcircles.AuditExclusionAdd, qrcircles.AuditExclusionRemove} {
		es, err := db.AuditLog(context.Background(), storage.AuditQuery{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, es...)
	}
	return all
}

func TestExclusionChangesAreAuditedWithoutPhones(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := &circles.Service{Store: db, NormalizePhone: cnPhones, Now: func() time.Time { return exclusionNow }}
		a := newUser(t, db, "+8613800138001")
		b := newUser(t, db, "+8613800138002")
		phones := []string{a.Phone, b.Phone, "+8613800138003", "13800138001", "13800138002", "13800138003"}

		withAccount, err := svc.AddExclusion(ctx, a, "138 0013 8002")
		if err != nil {
			t.Fatal(err)
		}
		noAccount, err := svc.AddExclusion(ctx, a, "13800138003")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.RemoveExclusion(ctx, a.ID, withAccount.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemoveExclusion(ctx, a.ID, withAccount.ID); err == nil {
			t.Fatal("removed the same exclusion twice")
		}
		if err := svc.RemoveExclusion(ctx, b.ID, noAccount.ID); err == nil {
			t.Fatal("removed someone else's exclusion")
		}

		got := exclusionEntries(t, db)
		want := []storage.AuditEntry{
			{Action: qrcircles.AuditExclusionAdd, Target: fmt.Sprintf("exclusion:%d", noAccount.ID), Detail: fmt.Sprintf(`{"user_id":"%d"}`, a.ID)},
			{Action: qrcircles.AuditExclusionAdd, Target: fmt.Sprintf("exclusion:%d", withAccount.ID), Detail: fmt.Sprintf(`{"other_user_id":"%d","user_id":"%d"}`, b.ID, a.ID)},
			{Action: qrcircles.AuditExclusionRemove, Target: fmt.Sprintf("exclusion:%d", withAccount.ID), Detail: fmt.Sprintf(`{"other_user_id":"%d","user_id":"%d"}`, b.ID, a.ID)},
		}
		if len(got) != len(want) {
			t.Fatalf("entries %+v; want %d", got, len(want))
		}
		for i, e := range got {
			w := want[i]
			if e.Action != w.Action || e.ActorID != a.ID || e.Target != w.Target || e.Detail != w.Detail || !e.At.Equal(exclusionNow) {
				t.Errorf("entry %d = %+v; want %+v by user %d", i, e, w, a.ID)
			}
			for _, p := range phones {
				if strings.Contains(e.Target+e.Detail+e.IP, p) {
					t.Errorf("entry %d names phone %s: %+v", i, p, e)
				}
			}
		}
	})
}

// failingAudit is the database with an audit log that refuses every entry.
type failingAudit struct{ *storage.DB }

func (failingAudit) AddAudit(context.Context, storage.AuditEntry) error {
	return errors.New("audit log unavailable")
}

// TestFailedExclusionChangesLeaveNoEntry: a change that fails writes no entry, and a change
// whose entry cannot be written is not made.
func TestFailedExclusionChangesLeaveNoEntry(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := &circles.Service{Store: db, NormalizePhone: cnPhones, Now: func() time.Time { return exclusionNow }}
		a := newUser(t, db, "+8613900139001")
		for _, bad := range []string{a.Phone, "not a phone", "+86139\x0000139002"} {
			if _, err := svc.AddExclusion(ctx, a, bad); err == nil {
				t.Fatalf("excluded %q", bad)
			}
		}
		if err := svc.RemoveExclusion(ctx, a.ID, 12345); err == nil {
			t.Fatal("removed an exclusion that does not exist")
		}
		if got := exclusionEntries(t, db); len(got) != 0 {
			t.Fatalf("failed changes were recorded: %+v", got)
		}

		broken := &circles.Service{Store: failingAudit{db}, NormalizePhone: cnPhones, Now: func() time.Time { return exclusionNow }}
		if _, err := broken.AddExclusion(ctx, a, "+8613900139003"); err == nil {
			t.Fatal("added an exclusion without its audit entry")
		}
		x, err := svc.AddExclusion(ctx, a, "+8613900139004")
		if err != nil {
			t.Fatal(err)
		}
		if err := broken.RemoveExclusion(ctx, a.ID, x.ID); err == nil {
			t.Fatal("removed an exclusion without its audit entry")
		}
		xs, err := db.Exclusions(ctx, a.ID)
		if err != nil || len(xs) != 1 || xs[0].ID != x.ID {
			t.Fatalf("exclusions after failed audits: %+v %v; want only %d", xs, err, x.ID)
		}
	})
}

// TestExclusionIsAcceptedAlikeAndHoldsFromTheNextJoin: excluding a fellow member's phone is
// answered like excluding a stranger's — accepted, nothing said of a shared circle — and the
// shared circle stays until one of them leaves it. From then on no join puts the two in one
// circle; others are not affected.
func TestExclusionIsAcceptedAlikeAndHoldsFromTheNextJoin(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := &circles.Service{Store: db, NormalizePhone: cnPhones, Now: func() time.Time { return exclusionNow }}
		org := newUser(t, db, "+8613900139100")
		a := newUser(t, db, "+8613900139101")
		fellow := newUser(t, db, "+8613900139102")
		stranger := newUser(t, db, "+8613900139103")
		circle := func(code string) storage.Circle {
			c := storage.Circle{Code: code, OwnerID: org.ID, Title: code, TimeZone: "UTC", CreatedAt: exclusionNow, UpdatedAt: exclusionNow}
			if err := db.CreateCircle(ctx, &c, nil); err != nil {
				t.Fatal(err)
			}
			return c
		}
		join := func(u storage.User, c storage.Circle) string {
			t.Helper()
			out, err := svc.JoinCircle(ctx, u, c, exclusionNow)
			if err != nil {
				t.Fatal(err)
			}
			return out.Request.Status
		}
		x := circle("shared")
		if join(a, x) != storage.RequestAdmitted || join(fellow, x) != storage.RequestAdmitted {
			t.Fatal("setup: not admitted")
		}

		exFellow, errFellow := svc.AddExclusion(ctx, a, "139 0013 9102")
		exStranger, errStranger := svc.AddExclusion(ctx, a, "139 0013 9103")
		if errFellow != nil || errStranger != nil {
			t.Fatalf("a fellow member's phone: %v; a stranger's: %v — both must be accepted", errFellow, errStranger)
		}
		if exFellow.UserID != a.ID || exFellow.OtherPhone != fellow.Phone || exStranger.OtherPhone != stranger.Phone ||
			!exFellow.CreatedAt.Equal(exStranger.CreatedAt) {
			t.Fatalf("exclusions %+v and %+v", exFellow, exStranger)
		}
		if again, err := svc.AddExclusion(ctx, a, fellow.Phone); err != nil || again.ID != exFellow.ID {
			t.Fatalf("adding it again: %+v %v", again, err)
		}

		// The shared circle stands; it is how they part now.
		for _, u := range []storage.User{a, fellow} {
			if ok, err := db.IsMember(ctx, x.ID, u.ID); err != nil || !ok {
				t.Fatalf("user %d left the shared circle by the exclusion: %v %v", u.ID, ok, err)
			}
		}
		if err := svc.Leave(ctx, fellow.ID, x.ID); err != nil {
			t.Fatal(err)
		}
		if got := join(fellow, x); got != storage.RequestRefused {
			t.Fatalf("rejoining next to the one who excluded them: %s", got)
		}

		// A new circle: whoever comes second is refused, either way round; others join.
		y := circle("next")
		if join(fellow, y) != storage.RequestAdmitted || join(a, y) != storage.RequestRefused {
			t.Fatal("the pair met in a new circle")
		}
		z := circle("other")
		if join(a, z) != storage.RequestAdmitted || join(stranger, z) != storage.RequestRefused || join(org, z) != storage.RequestAdmitted {
			t.Fatal("the stranger's exclusion does not hold, or holds for others")
		}
	})
}
