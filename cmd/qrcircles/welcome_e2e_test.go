package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// Admission lands on "You're in" with the card form filled with the name and the verified
// phone and this circle's choice beside it; saving opens the circle, and the welcome is not
// shown again. Three members see each other; Save to phone says what it saves, is not on
// one's own entry, and its vCard holds the phone exactly when the member shows it here; a
// member who shows only the basic card is offered "Request full card", which asks for it.
func TestWelcomeMembersAndSaveToPhone(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		s := siteOn(t, db)
		_, circle := s.organizer("+8613700000000", circleForm("Expo", "mode", "open"))
		welcome := circlePath(circle.ID) + "/welcome"

		ann := s.joinByPage(circle, "+8613800000001", "Ann Lee")
		p := ann.b.get(welcome)
		if p.field("display_name") != "Ann Lee" || !strings.Contains(text(p), ">+8613800000001</textarea>") ||
			!strings.Contains(text(p), "Now they see: name, title and company.") || !strings.Contains(p.body, `value="default" checked`) {
			t.Fatalf("the welcome is not filled in:\n%s", p.body)
		}
		p = ann.b.submit(p, welcome, "display_name", "Ann Lee", "title", "CTO", "company", "Acme", "phones", "+8613800000001", "mode", "all")
		if p.path != circlePath(circle.ID) {
			t.Fatalf("saving the welcome ended at %s (%d)\n%s", p.path, p.status, p.body)
		}
		if p := ann.b.get(welcome); p.path != circlePath(circle.ID) {
			t.Fatalf("the welcome was shown again: %s", p.path)
		}

		bo := s.joinByPage(circle, "+8613800000002", "Bo Wu")
		p = bo.b.get(welcome)
		if bad := bo.b.submit(p, welcome, "display_name", "Bo Wu", "company", "Initech", "phones", "12", "mode", "all"); bad.status != 400 ||
			bad.field("company") != "Initech" || !strings.Contains(bad.body, `value="all" checked`) {
			t.Fatalf("a bad phone: %d, the form not kept\n%s", bad.status, bad.body)
		}
		if c, err := s.app.cards.Card(context.Background(), bo.user.ID); err == nil {
			t.Fatalf("a rejected welcome saved the card %+v", c)
		}
		bo.b.submit(p, welcome, "display_name", "Bo Wu", "company", "Initech", "phones", "+8613800000002", "mode", "default")
		cy := s.joinByPage(circle, "+8613800000003", "Cy Li")
		if p := cy.b.submit(cy.b.get(welcome), welcome+"/later"); p.path != circlePath(circle.ID) {
			t.Fatalf("putting the welcome off ended at %s (%d)", p.path, p.status)
		}

		view := text(bo.b.get(circlePath(circle.ID)))
		for _, name := range []string{"Members (3)", "Ann Lee", "Bo Wu", "Cy Li"} {
			if !strings.Contains(view, name) {
				t.Fatalf("the members lack %q:\n%s", name, view)
			}
		}
		if !strings.Contains(view, "Saves name, title, company and phone") || strings.Contains(view, "/members/"+uidOf(bo.user)+".vcf") {
			t.Fatalf("Save to phone: no contents, or offered on one's own entry:\n%s", view)
		}
		vcf := bo.b.get(circlePath(circle.ID) + "/members/" + uidOf(ann.user) + ".vcf")
		if vcf.status != 200 || !strings.Contains(vcf.body, "TEL") || !strings.Contains(vcf.body, "+8613800000001") {
			t.Fatalf("Ann's vCard lacks the phone she shows: %d\n%s", vcf.status, vcf.body)
		}
		if vcf := ann.b.get(circlePath(circle.ID) + "/members/" + uidOf(bo.user) + ".vcf"); vcf.status != 200 || strings.Contains(vcf.body, "TEL") {
			t.Fatalf("Bo's vCard holds a phone he does not show here: %d\n%s", vcf.status, vcf.body)
		}

		page := ann.b.get(circlePath(circle.ID))
		entry := memberEntry(t, page.body, bo.user)
		if !strings.Contains(entry, "Request full card") || !strings.Contains(entry, "Saves name and company") {
			t.Fatalf("Bo shows only the basic card, yet:\n%s", entry)
		}
		if entry := memberEntry(t, bo.b.get(circlePath(circle.ID)).body, ann.user); strings.Contains(entry, "Request full card") {
			t.Fatalf("Ann shows the whole card, yet:\n%s", entry)
		}
		if p := ann.b.submit(page, circlePath(circle.ID)+"/members/"+uidOf(bo.user)+"/request"); !strings.Contains(p.path, "done=requested") {
			t.Fatalf("requesting the full card ended at %s (%d)", p.path, p.status)
		}
		in, _, err := s.app.cards.CardRequests(context.Background(), bo.user.ID, qrcircles.CardWaiting)
		if err != nil || len(in) != 1 || in[0].FromID != ann.user.ID {
			t.Fatalf("Bo's waiting requests: %+v %v", in, err)
		}
		if p := cy.b.scan(circle); p.path != circlePath(circle.ID) {
			t.Fatalf("scanning again after putting the welcome off ended at %s", p.path)
		}
	})
}

// memberEntry is the member's entry on a circle page.
func memberEntry(t *testing.T, body string, u storage.User) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `id="member-`+uidOf(u)+`"`)
	entry, _, _ := strings.Cut(rest, "</li>")
	if !ok {
		t.Fatalf("no entry of %s:\n%s", u.DisplayName, body)
	}
	return entry
}

func uidOf(u storage.User) string { return strconv.FormatInt(u.ID, 10) }
