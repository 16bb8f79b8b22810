package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"qrcircles/storage"
	"qrcircles/templates"
)

// The attendee's way in, in real headless Chromium on a 360-px screen, once per language:
// scan, sign in, "You're in" with the card filled with the name and the verified phone,
// the card saved showing the phone to this circle, then the members (three people): Save
// to phone is not on one's own entry, says what it saves, and downloads a vCard holding the
// phone of a member who shows it; a member who shows only the basic card offers "Request
// full card".
func TestBrowserWelcomeToSaveToPhone(t *testing.T) {
	exe := chromiumPath(t)
	for _, lang := range []string{"en", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) { welcomeJourney(t, exe, lang) })
	}
}

var welcomeNames = map[string][3]string{"en": {"Ann Lee", "Bo Wu", "Di Ma"}, "zh-Hans": {"李安", "吴波", "马迪"}}

func welcomeJourney(t *testing.T, exe, lang string) {
	names := welcomeNames[lang]
	s := newSite(t)
	sh := screenshotDir(t, lang+"-welcome")
	_, c := s.organizer("+8613700000000", circleForm("Expo", "mode", "open"))
	circle := circlePath(c.ID)
	bo := s.welcomed(c, "+8613800000002", names[1], "basic")
	di := s.welcomed(c, "+8613800000003", names[2], "all")

	ann := s.chrome(t, exe, "attendee", lang, byAcceptLanguage, sh)
	ann.open("/c/" + c.Code)
	ann.at("/c/"+c.Code, `form[action$="/join"] button`)
	ann.click(`form[action$="/join"] button`)
	ann.signIn(s, "+8613800000001", names[0], false)
	ann.at(circle+"/welcome", "#welcome")
	phone, _ := eval[string](ann, `document.querySelector("#phones").value`)
	name, _ := eval[string](ann, `document.querySelector("#display_name").value`)
	if phone != "+8613800000001" || name != names[0] || ann.text("#sees-now") == "" || ann.text("#phone-why") == "" {
		ann.fail("the welcome holds name %q and phone %q, or does not say what members see", name, phone)
	}
	ann.fill("#company", "Acme")
	ann.click(`#welcome input[name=mode][value=all]`)
	ann.shot("welcome")
	ann.click(`#welcome button[type=submit]`)
	ann.at(circle, "#members")

	if n, _ := eval[int](ann, `document.querySelectorAll("#members li.member").length`); n != 3 {
		ann.fail("the members list shows %d people, want 3", n)
	}
	if own, _ := eval[bool](ann, fmt.Sprintf(`!!document.querySelector("#member-%d a[download]")`, s.userID(ann.t, "+8613800000001"))); own {
		ann.fail("Save to phone is offered on one's own entry")
	}
	diEntry, boEntry := fmt.Sprintf("#member-%d", di.ID), fmt.Sprintf("#member-%d", bo.ID)
	if got, want := ann.text(diEntry+" .hint"), templates.T(lang, "member.saves", templates.FieldList(lang, []string{"display_name", "company", "phones"})); got != want {
		ann.fail("Save to phone on %s says %q, want %q", names[2], got, want)
	}
	if got := ann.text(boEntry); !strings.Contains(got, templates.T(lang, "member.request_full")) {
		ann.fail("%s shows only the basic card, yet the entry offers no full card: %q", names[1], got)
	}
	ann.scrollTo("#members")
	ann.shot("members")
	ann.tapTargets()
	if vcf := ann.download(diEntry + " a[download]"); !strings.Contains(vcf, "TEL") || !strings.Contains(vcf, "+8613800000003") {
		ann.fail("the saved vCard lacks the phone %s shows:\n%s", names[2], vcf)
	}
	// What Ann chose reaches the others: her saved card shows them her phone.
	if e, err := s.app.cards.EntryFor(context.Background(), s.userID(t, "+8613800000001"), bo.ID, c.ID, false); err != nil ||
		len(e.Card.Phones) != 1 || e.Card.Phones[0] != "+8613800000001" || e.Card.Company != "Acme" {
		t.Fatalf("Ann's card as a member sees it: %+v %v", e.Card, err)
	}
}

// welcomed is someone who joined the circle through the pages and answered the welcome
// showing the circle mode's fields ("basic", "all") of a card with a company and a phone.
func (s *site) welcomed(c storage.Circle, phone, name, mode string) storage.User {
	s.t.Helper()
	m := s.joinByPage(c, phone, name)
	welcome := circlePath(c.ID) + "/welcome"
	p := m.b.submit(m.b.get(welcome), welcome, "display_name", name, "company", "Initech", "phones", phone, "mode", mode)
	if p.path != circlePath(c.ID) {
		s.t.Fatalf("%s answering the welcome ended at %s (%d)", name, p.path, p.status)
	}
	return m.user
}

func (s *site) userID(t *testing.T, phone string) int64 {
	t.Helper()
	u, err := s.db.UserByPhone(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// download clicks a download link and returns the vCard the browser saved.
func (p *chromePerson) download(sel string) string {
	p.t.Helper()
	dir := p.t.TempDir()
	p.do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior,
			cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}))
	p.click(sel)
	deadline := time.Now().Add(stepTimeout)
	for {
		// The browser writes a .crdownload file and renames it when the download is
		// complete; it may put an empty file of the final name there first.
		files, _ := filepath.Glob(filepath.Join(dir, "*.vcf"))
		partial, _ := filepath.Glob(filepath.Join(dir, "*.crdownload"))
		if len(files) == 1 && len(partial) == 0 {
			if b, err := os.ReadFile(files[0]); err == nil && len(b) > 0 {
				return string(b)
			}
		}
		if time.Now().After(deadline) {
			p.fail("waited %v for the download of %s", stepTimeout, sel)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
