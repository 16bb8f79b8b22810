package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// Event day on one venue network, on a phone-sized screen, in each language: the network's 20
// codes an hour are used up, yet an attendee who scans the circle's code signs in without a
// hitch (the circle's budget counts, not the address), and someone signing in without a
// circle is asked for a proof of work, which their browser does, and gets in. The navigation
// names each and offers Sign out; the walk-in deletes the account again from /account.
func TestBrowserVenueSignInAndProofOfWork(t *testing.T) {
	exe := chromiumPath(t)
	names := map[string][2]string{"en": {"Ann Lee", "Bo Wu"}, "zh-Hans": {"李安", "吴波"}}
	for _, lang := range []string{"en", "zh-Hans"} {
		t.Run(lang, func(t *testing.T) {
			s := newSite(t)
			sh := screenshotDir(t, lang+"-venue")
			_, c := s.organizer("+8613700000000", circleForm("Expo", "mode", "open"))
			s.useNetworkLimit(t)

			ann := s.chrome(t, exe, "attendee", lang, byAcceptLanguage, sh)
			ann.open("/c/" + c.Code)
			ann.at("/c/"+c.Code, `form[action$="/join"] button`)
			ann.click(`form[action$="/join"] button`)
			ann.signIn(s, "+8613800000001", names[lang][0], false)
			ann.at("/circles/"+strconv.FormatInt(c.ID, 10)+"/welcome", "#welcome")
			if got := ann.text("#nav-account"); got != names[lang][0] {
				ann.fail("the navigation names %q, want %q", got, names[lang][0])
			}
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
			// …and deletes the account again.
			bob.scrollTo("#delete-account")
			bob.click(`form[action="/account/delete"] input[name=confirm]`)
			bob.click("#delete-account")
			bob.at("/account/delete", "#nav-sign-in")
			bob.shot("deleted")
			if u, err := s.db.UserByPhone(context.Background(), "+8613900000002"); err == nil {
				bob.fail("the deleted account is still found by its phone: %+v", u)
			}
		})
	}
}
