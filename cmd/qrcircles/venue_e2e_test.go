package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"qrcircles/authz/otp"
)

// A venue of hundreds behind one address: everyone's sign-in starts at the circle's page, so
// it counts against the circle's budget, and the network's limit of 20 codes an hour, which
// applies to sign-ins without a circle, is untouched.
func TestThreeHundredAttendeesFromOneAddressGetCodes(t *testing.T) {
	s := newSite(t)
	_, c := s.organizer("+8613700000000", circleForm("Expo", "mode", "open"))
	var last *browser
	for i := range 300 {
		b := s.browser()
		p := b.scan(c)
		phone := fmt.Sprintf("+86138%08d", i)
		p = b.post("/login", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")}, "phone": {phone}})
		if !strings.HasPrefix(p.path, "/login/code") || p.status != 200 {
			t.Fatalf("attendee %d got no code: %s (%d) %s", i+1, p.path, p.status, errorText(p))
		}
		s.sms.code(t, phone)
		last = b
		if i == 299 { // the last one goes all the way in
			p = last.post("/login/code", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")},
				"c": {p.field("c")}, "code": {s.sms.code(t, phone)}})
			p = last.post("/register", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")}, "name": {"Attendee 300"}})
			if p.path != "/circles/"+strconv.FormatInt(c.ID, 10)+"/welcome" {
				t.Fatalf("attendee 300 ended at %s (%d) %s", p.path, p.status, errorText(p))
			}
		}
	}
	// The network's own limit was not used: a sign-in without a circle still gets a code.
	b := s.browser()
	p := b.get("/login")
	p = b.post("/login", url.Values{"csrf": {p.field("csrf")}, "return_to": {"/"}, "phone": {"+8613900000000"}})
	if !strings.HasPrefix(p.path, "/login/code") {
		t.Fatalf("a sign-in without a circle after the venue's: %s (%d) %s", p.path, p.status, errorText(p))
	}
}

// The organizer's expected attendance is the circle's budget: past it, sign-ins from its
// page are refused for the day (the overall budget stays the guard against abuse).
func TestCircleBudgetIsTheExpectedAttendance(t *testing.T) {
	s := newSite(t)
	org, c := s.organizer("+8613700000000", circleForm("Dinner", "mode", "open"))
	manage := org.get("/circles/" + strconv.FormatInt(c.ID, 10) + "/manage")
	p := org.post("/circles/"+strconv.FormatInt(c.ID, 10)+"/sms-budget", url.Values{"csrf": {manage.field("csrf")}, "expected": {"2"}})
	if p.status != 200 || !strings.Contains(p.body, `value="2"`) {
		t.Fatalf("setting the expected attendance: %s (%d) %s", p.path, p.status, errorText(p))
	}
	s.useNetworkLimit(t) // the address's own limit is spent: past the circle's budget, a proof is asked
	for i := range 3 {
		b := s.browser()
		p := b.scan(c)
		p = b.post("/login", url.Values{"csrf": {p.field("csrf")}, "return_to": {p.field("return_to")}, "phone": {fmt.Sprintf("+86138%08d", i)}})
		got := strings.HasPrefix(p.path, "/login/code")
		if want := i < 2; got != want || (!want && (p.status != 200 || !challengeAttr.MatchString(p.body))) {
			t.Fatalf("attendee %d of an expected 2: %s (%d) %s", i+1, p.path, p.status, errorText(p))
		}
	}
}

// Without a circle, the 21st sign-in from one address is asked for a proof of work instead
// of being refused; a solved one sends the code, and works once.
func TestBusyNetworkIsAskedForAProofOfWork(t *testing.T) {
	s := newSite(t)
	s.useNetworkLimit(t)
	b := s.browser()
	p := sendCode(b, "+8613900000021", nil)
	challenge := proofChallengeOn(t, p)
	if p.status != 200 || strings.Contains(p.body, `role="alert"`) {
		t.Fatalf("the 21st is refused, not asked for a proof: %d %s", p.status, errorText(p))
	}
	payload := solveProof(t, challenge)
	p = sendCode(b, "+8613900000021", url.Values{"altcha": {payload}})
	if !strings.HasPrefix(p.path, "/login/code") {
		t.Fatalf("a solved proof: %s (%d) %s", p.path, p.status, errorText(p))
	}
	s.sms.code(t, "+8613900000021")
	p = sendCode(s.browser(), "+8613900000022", url.Values{"altcha": {payload}})
	if p.status != 400 || !strings.Contains(p.body, `role="alert"`) || proofChallengeOn(t, p) == challenge {
		t.Fatalf("a proof used twice: %s (%d) %s", p.path, p.status, errorText(p))
	}
	p = sendCode(s.browser(), "+8613900000022", url.Values{"altcha": {"bm90IGEgcHJvb2Y="}})
	if p.status != 400 || proofChallengeOn(t, p) == "" {
		t.Fatalf("a forged proof: %s (%d) %s", p.path, p.status, errorText(p))
	}
}

// sendCode asks for a code from the sign-in page, without a circle, with extra form fields.
func sendCode(b *browser, phone string, extra url.Values) page {
	p := b.get("/login")
	form := url.Values{"csrf": {p.field("csrf")}, "return_to": {"/"}, "phone": {phone}}
	for k, v := range extra {
		form[k] = v
	}
	return b.post("/login", form)
}

// useNetworkLimit uses up the 20 codes an hour that this machine's address may ask for
// without a circle (the organizer's sign-in may have used one).
func (s *site) useNetworkLimit(t *testing.T) {
	t.Helper()
	for i := range 20 {
		p := sendCode(s.browser(), fmt.Sprintf("+86135%08d", i), nil)
		if challengeAttr.MatchString(p.body) {
			return
		}
		if !strings.HasPrefix(p.path, "/login/code") {
			t.Fatalf("sign-in %d: %s (%d) %s", i+1, p.path, p.status, errorText(p))
		}
	}
}

var challengeAttr = regexp.MustCompile(`<altcha-widget[^>]* challenge="([^"]*)"`)

// proofChallengeOn is the challenge the page's widget was given.
func proofChallengeOn(t *testing.T, p page) string {
	t.Helper()
	m := challengeAttr.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no proof-of-work widget on %s (%d): %s", p.path, p.status, errorText(p))
	}
	return html.UnescapeString(m[1])
}

// solveProof does what the widget does in the browser: tries numbers until one hashes with
// the salt to the challenge, and returns the payload it would send.
func solveProof(t *testing.T, challenge string) string {
	t.Helper()
	var c otp.ProofChallenge
	if err := json.Unmarshal([]byte(challenge), &c); err != nil {
		t.Fatalf("challenge %q: %v", challenge, err)
	}
	for n := int64(0); n <= c.MaxNumber; n++ {
		sum := sha256.Sum256([]byte(c.Salt + strconv.FormatInt(n, 10)))
		if hex.EncodeToString(sum[:]) == c.Challenge {
			b, _ := json.Marshal(otp.ProofSolution{Algorithm: c.Algorithm, Challenge: c.Challenge, Number: n, Salt: c.Salt, Signature: c.Signature})
			return base64.StdEncoding.EncodeToString(b)
		}
	}
	t.Fatal("no number solves the challenge")
	return ""
}

var alertText = regexp.MustCompile(`role="alert">([^<]*)<`)

// errorText is the message a page shows in its alert, for failure messages.
func errorText(p page) string {
	if m := alertText.FindStringSubmatch(p.body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}
