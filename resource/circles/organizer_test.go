package circles_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/resource/circles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

func organizerService(db *storage.DB) *circles.Service {
	u, _ := url.Parse("https://qrc.example")
	return &circles.Service{Store: db, PublicURL: u, NormalizePhone: cnPhones, Now: func() time.Time { return exclusionNow }}
}

func ptr[T any](v T) *T { return &v }

// TestQueueOneCanTrust: approve-all by filter, decline, the Declined list, approve anyway,
// and an approval that the cap stops leaves the request in the queue.
func TestQueueOneCanTrust(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx, svc := context.Background(), organizerService(db)
		org := newUser(t, db, "+8613700000000")
		c, err := svc.Create(ctx, org.ID, circles.Input{Title: ptr("Expo"), Prefixes: &[]string{"+86138"}, Cap: ptr(3),
			NotAfter: ptr(exclusionNow.Add(-time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		join := func(phone string) storage.JoinRequest {
			t.Helper()
			out, err := svc.JoinCircle(ctx, newUser(t, db, phone), c, exclusionNow)
			if err != nil || out.Member {
				t.Fatalf("join %s: %+v %v", phone, out, err)
			}
			return out.Request
		}
		inside := join("+8613800000001")
		join("+8613900000002")
		join("+8613900000003")

		b, err := svc.DecideAll(ctx, org.ID, c.ID, circles.Filter{Reason: qrcircles.ReasonNotInRange}, true)
		if err != nil || b.Matched != 2 || b.Done != 2 {
			t.Fatalf("approve-all outside the ranges: %+v %v", b, err)
		}
		waiting, _ := svc.Requests(ctx, org.ID, c.ID)
		if len(waiting) != 1 || waiting[0].ID != inside.ID {
			t.Fatalf("still waiting: %+v", waiting)
		}
		if _, err := svc.Deny(ctx, org.ID, c.ID, inside.ID); err != nil {
			t.Fatal(err)
		}
		declined, _ := svc.Declined(ctx, org.ID, c.ID)
		if len(declined) != 1 || declined[0].ID != inside.ID {
			t.Fatalf("declined: %+v", declined)
		}
		if out, err := svc.ApproveAnyway(ctx, org.ID, c.ID, inside.ID); err != nil || !out.Member {
			t.Fatalf("approve anyway: %+v %v", out, err)
		}

		// Full now: a fourth waits with the cap among its reasons, and approving it anyway
		// cannot pass the cap; it stays in the queue.
		late := join("+8613800000004")
		if !slices.Contains(late.Reasons, qrcircles.ReasonCapReached) {
			t.Fatalf("reasons %v", late.Reasons)
		}
		if _, err := svc.Deny(ctx, org.ID, c.ID, late.ID); err != nil {
			t.Fatal(err)
		}
		if out, err := svc.ApproveAnyway(ctx, org.ID, c.ID, late.ID); err != nil || out.Member || out.Request.Status != storage.RequestWaiting {
			t.Fatalf("approve anyway into a full circle: %+v %v", out, err)
		}
		var said []string
		for _, w := range circles.Explain(c, late, 3) {
			said = append(said, w.In(qrcircles.LangEnglish))
		}
		text := strings.Join(said, " | ")
		if !strings.Contains(text, "The circle is full (3 of 3)") || !strings.Contains(text, "after the window closed at") {
			t.Fatalf("explained %q", text)
		}
		if _, err := svc.DecideAll(ctx, newUser(t, db, "+8613600000000").ID, c.ID, circles.Filter{}, true); qrcircles.CodeOf(err) != qrcircles.EForbidden {
			t.Fatalf("someone else's approve-all: %v", err)
		}
	})
}

// TestOnSiteOnly: a scan without proof waits with its reason, one with proof is admitted;
// changing other rules keeps the fact, turning the setting off admits.
func TestOnSiteOnly(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx, svc := context.Background(), organizerService(db)
		org := newUser(t, db, "+8613700000000")
		c, err := svc.Create(ctx, org.ID, circles.Input{Title: ptr("Keynote"), OnSite: ptr(qrcircles.OnSiteReview)})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.Get(ctx, c.ID); got.Rules.OnSite != qrcircles.OnSiteReview {
			t.Fatalf("stored on-site setting %q", got.Rules.OnSite)
		}
		photo, err := svc.JoinOnSite(ctx, newUser(t, db, "+8613800000001"), c, exclusionNow, false)
		if err != nil || photo.Member || !slices.Equal(photo.Request.Reasons, []qrcircles.Reason{qrcircles.ReasonNotOnSite}) {
			t.Fatalf("a forwarded photo: %+v %v", photo, err)
		}
		if out, err := svc.JoinOnSite(ctx, newUser(t, db, "+8613800000002"), c, exclusionNow, true); err != nil || !out.Member {
			t.Fatalf("a scan on site: %+v %v", out, err)
		}
		if _, n, err := svc.Update(ctx, org.ID, c.ID, circles.Input{Cap: ptr(100)}); err != nil || n != 0 {
			t.Fatalf("another rule changed: admitted %d, %v", n, err)
		}
		if _, n, err := svc.Update(ctx, org.ID, c.ID, circles.Input{OnSite: ptr(qrcircles.OnSiteOff)}); err != nil || n != 1 {
			t.Fatalf("on-site turned off: admitted %d, %v", n, err)
		}
		refusing, err := svc.Create(ctx, org.ID, circles.Input{Title: ptr("Gala"), OnSite: ptr(qrcircles.OnSiteRefuse)})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := svc.JoinOnSite(ctx, newUser(t, db, "+8613800000003"), refusing, exclusionNow, false); err != nil || out.Request.Status != storage.RequestRefused {
			t.Fatalf("refused off site: %+v %v", out, err)
		}
		if _, err := svc.Create(ctx, org.ID, circles.Input{Title: ptr("Bad"), OnSite: ptr(qrcircles.OnSite("maybe"))}); qrcircles.CodeOf(err) != qrcircles.EInvalid {
			t.Fatalf("unknown on-site setting: %v", err)
		}
	})
}
