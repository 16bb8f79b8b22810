package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"qrcircles/storage"
)

// venueCrowd is how many attendees sign in from the venue's one address before the one in
// the browser: with them, 300 sign-ins to one circle from one address.
const venueCrowd = 299

// deletedUser is how the pages of each language name a person who deleted their account.
var deletedUser = map[string]string{"en": "Deleted user", "zh-Hans": "已注销用户"}

// smsOpening is how the SMS of each language begins.
var smsOpening = map[string]string{"en": "QR Circles code: ", "zh-Hans": "二维码好友圈验证码："}

// Event day on one venue network, on a phone-sized screen, in each language: the network's 20
// codes an hour are used up, then 300 attendees sign in from the same address to the same
// circle, each getting a code in their language and joining (the circle's budget counts, not
// the address): 299 through plain requests, the 300th in the browser. Someone signing in
// without a circle is asked for a proof of work, which their browser does, and gets in. The
// navigation names each and offers Sign out. The walk-in joins the circle, writes to an
// attendee from the message page, and deletes the account from /account: afterwards no page
// or export shows them, and the message they sent stays with its reader, from a deleted user.
func TestBrowserVenueSignInAndProofOfWork(t *testing.T) {
	exe := chromiumPath(t)
	names := map[string][2]string{"en": {"Ann Lee", "Bo Wu"}, "zh-Hans": {"李安", "吴波"}}
	for _, lang := range []string{"en", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) {
			s := newSite(t)
			sh := screenshotDir(t, lang+"-venue")
			org, c := s.organizer("+8613700000000", circleForm("Expo", "mode", "open"))
			circle := "/circles/" + strconv.FormatInt(c.ID, 10)
			s.useNetworkLimit(t)
			before := s.memberCount(t, c)
			reader := s.crowd(t, c, lang, venueCrowd) // the first of them reads the walk-in's message

			ann := s.chrome(t, exe, "attendee", lang, byAcceptLanguage, sh)
			ann.open("/c/" + c.Code)
			ann.at("/c/"+c.Code, `form[action$="/join"] button`)
			ann.click(`form[action$="/join"] button`)
			ann.signIn(s, "+8613800000001", names[lang][0], false)
			ann.at(circle+"/welcome", "#welcome")
			if got := ann.text("#nav-account"); got != names[lang][0] {
				ann.fail("the navigation names %q, want %q", got, names[lang][0])
			}
			if got := s.memberCount(t, c) - before; got != venueCrowd+1 {
				ann.fail("%d of %d sign-ins from one address joined the circle", got, venueCrowd+1)
			}
			wantSMSIn(t, s, "+8613800000001", lang)
			ann.shot("venue-joined")
			ann.click("#sign-out")
			ann.at("/", "#nav-sign-in")
			if title, _ := eval[string](ann, "document.title"); strings.Count(title, "QR Circles")+strings.Count(title, "二维码好友圈") != 1 {
				ann.fail("the home page's title %q names the product other than once", title)
			}

			bob := s.chrome(t, exe, "walk-in", lang, byCookie, sh)
			bob.open("/login")
			bob.at("/login", "#phone")
			bob.fill("#phone", "13900000002")
			bob.click(`form[action="/login"] button[type=submit]`)
			bob.at("/login", "altcha-widget#proof")
			if bob.text("#proof-intro") == "" || bob.text(".error") != "" {
				bob.fail("the 21st sign-in is refused instead of asked for a proof: %q", bob.text(".error"))
			}
			bob.until("the widget's proof", `(document.querySelector('altcha-widget input[name="altcha"]') || {}).value`)
			bob.shot("proof-verified")
			bob.click(`form[action="/login"] button[type=submit]`)
			bob.until("the code page", `location.pathname === "/login/code" && document.querySelector("#code")`)
			wantSMSIn(t, s, "+8613900000002", lang)
			bob.fill("#code", s.sms.code(t, "+8613900000002"))
			bob.click(`form[action="/login/code"] button[type=submit]`)
			bob.until("the registration page", `document.querySelector('form[action="/register"] #name')`)
			bob.fill("#name", names[lang][1])
			bob.click(`form[action="/register"] button[type=submit]`)
			bob.at("/account", "#nav-account")
			if got := bob.text("#nav-account"); got != names[lang][1] || bob.text("#sign-out") == "" {
				bob.fail("the navigation shows %q and sign-out %q, want the name and Sign out", got, bob.text("#sign-out"))
			}
			bob.shot("signed-in")

			// The walk-in joins the circle too and writes to Ann…
			bob.open("/c/" + c.Code)
			bob.at("/c/"+c.Code, `form[action$="/join"] button`)
			bob.click(`form[action$="/join"] button`)
			bob.at(circle+"/welcome", "#welcome")
			readerID, bobID := s.userID(t, crowdPhone(0)), s.userID(t, "+8613900000002")
			thread := "/messages/" + strconv.FormatInt(readerID, 10)
			bob.open(thread)
			bob.at(thread, "#message-body")
			bob.fill("#message-body", "Meet at booth 7")
			bob.click(`form[action="` + thread + `"] button[type=submit]`)
			bob.until("the message in the thread", `[...document.querySelectorAll("#thread .msg.mine")].some(m => m.textContent.includes("Meet at booth 7"))`)
			bob.shot("message-sent")
			gone := []string{names[lang][1], "+8613900000002", "139 0000 0002"}
			s.wantShown(t, org, []string{circle, circle + "/manage", circle + "/members.csv", circle + "/members.vcf"}, gone[:1], true)

			// …and deletes the account again.
			bob.open("/account")
			bob.scrollTo("#delete-account")
			bob.click(`form[action="/account/delete"] input[name=confirm]`)
			bob.click("#delete-account")
			bob.at("/account/delete", "#nav-sign-in")
			bob.shot("deleted")
			if u, err := s.db.UserByPhone(context.Background(), "+8613900000002"); err == nil {
				bob.fail("the deleted account is still found by its phone: %+v", u)
			}
			s.wantShown(t, org, []string{circle, circle + "/manage", circle + "/members.csv", circle + "/members.vcf"}, gone, false)
			bobThread := "/messages/" + strconv.FormatInt(bobID, 10)
			s.wantShown(t, reader, []string{circle, "/settings", "/account", "/account/export.json", "/messages", bobThread}, gone, false)
			s.wantShown(t, reader, []string{"/messages", bobThread}, []string{deletedUser[lang]}, true)
			s.wantShown(t, reader, []string{bobThread, "/account/export.json"}, []string{"Meet at booth 7"}, true)
			s.wantDeletedSender(t, readerID, bobID, "Meet at booth 7")
		})
	}
}

// crowd signs n attendees in from this machine's one address, each from the circle's page
// in lang, checks that each got a code in lang and joined, and returns the first one's
// browser, still signed in.
func (s *site) crowd(t *testing.T, c storage.Circle, lang string, n int) *browser {
	t.Helper()
	circle := "/circles/" + strconv.FormatInt(c.ID, 10)
	var first *browser
	for i := range n {
		b := s.browserIn(lang)
		p := b.signIn(b.scan(c), crowdPhone(i), fmt.Sprintf("Attendee %d", i+1))
		if p.path != circle+"/welcome" || p.status != 200 { // each new member is welcomed
			t.Fatalf("attendee %d of the venue ended at %s (%d) %s", i+1, p.path, p.status, errorText(p))
		}
		wantSMSIn(t, s, crowdPhone(i), lang)
		if first == nil {
			first = b
		}
	}
	return first
}

// crowdPhone is the phone of the venue's i-th attendee, from 0.
func crowdPhone(i int) string { return fmt.Sprintf("+86136%08d", i) }

// wantSMSIn fails unless the last SMS to phone is in lang.
func wantSMSIn(t *testing.T, s *site, phone, lang string) {
	t.Helper()
	if text := s.sms.text(phone); !strings.HasPrefix(text, smsOpening[lang]) {
		t.Fatalf("the SMS to %s of a %s sign-in reads %q", phone, lang, text)
	}
}

// memberCount is the number of the circle's members.
func (s *site) memberCount(t *testing.T, c storage.Circle) int {
	t.Helper()
	n, err := s.db.MemberCount(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantShown checks that each of the pages, as b sees them, shows (or, with shown false, shows
// none of) the texts.
func (s *site) wantShown(t *testing.T, b *browser, paths, texts []string, shown bool) {
	t.Helper()
	for _, path := range paths {
		p := b.get(path)
		if p.status != 200 {
			t.Fatalf("%s: %d %s", path, p.status, errorText(p))
		}
		for _, text := range texts {
			if strings.Contains(p.body, text) != shown {
				t.Errorf("%s shows %q: %v, want %v", path, text, !shown, shown)
			}
		}
	}
}

// wantDeletedSender checks that the message the deleted user sent stays in the reader's
// conversation, from the deleted user's ID, whose account holds no name or phone any more.
func (s *site) wantDeletedSender(t *testing.T, readerID, senderID int64, body string) {
	t.Helper()
	var msgs struct {
		Items []struct {
			FromID int64  `json:"from_id"`
			Body   string `json:"body"`
		} `json:"messages"`
	}
	path := "/api/v1/users/" + strconv.FormatInt(senderID, 10) + "/messages"
	if code := s.api(t, s.token(t, readerID), path, &msgs); code != 200 || len(msgs.Items) != 1 || msgs.Items[0].Body != body || msgs.Items[0].FromID != senderID {
		t.Fatalf("the reader's conversation with the deleted user: %d %+v", code, msgs)
	}
	u, err := s.db.User(context.Background(), senderID)
	if err != nil || !u.Deleted() || u.DisplayName != "" || strings.HasPrefix(u.Phone, "+") {
		t.Fatalf("the deleted sender: %+v %v", u, err)
	}
}
