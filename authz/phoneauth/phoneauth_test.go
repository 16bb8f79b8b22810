package phoneauth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/authz/otp"
	"qrcircles/authz/phoneauth"
	"qrcircles/authz/sms"
	"qrcircles/authz/sms/smstest"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

var _ phoneauth.Store = (*storage.DB)(nil)

const cnPhone = "+8613800138000"

var (
	t0     = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	secret = []byte("test secret, thirty-two bytes!!!")
)

func at(d time.Duration) time.Time { return t0.Add(d) }

// fixture is a service with the console sender, whose codes land in codes.
type fixture struct {
	*phoneauth.Service
	db    *storage.DB
	codes map[string]string // last code per phone
	sent  int
}

func newFixture(db *storage.DB) *fixture {
	f := &fixture{db: db, codes: map[string]string{}}
	f.Service = &phoneauth.Service{
		Store: db,
		Sender: &sms.Console{Sink: func(phone, code string) {
			f.codes[phone] = code
			f.sent++
		}},
		Policy:        otp.DefaultPolicy(1000),
		Secret:        secret,
		DefaultRegion: "CN",
	}
	return f
}

func (f *fixture) send(t *testing.T, phone, ip string, now time.Time) string {
	t.Helper()
	id, _, err := f.Send(context.Background(), phone, otp.Origin{IP: ip}, "en", now)
	if err != nil {
		t.Fatalf("Send(%s, %s) at %v: %v", phone, ip, now.Sub(t0), err)
	}
	return id
}

// wantProblem fails unless err is a problem with this code, field and message, and, when
// retry is not zero, this Retry-After in seconds.
func wantProblem(t *testing.T, err error, code, field, message string, retry int) {
	t.Helper()
	var p *qrcircles.Error
	if !errors.As(err, &p) {
		t.Fatalf("error %v is not a problem", err)
	}
	if p.Code != code || p.Field != field || p.Message != message {
		t.Fatalf("problem %s field %q %q; want %s field %q %q", p.Code, p.Field, p.Message, code, field, message)
	}
	if got := qrcircles.ProblemOf(err).RetryAfter; retry != 0 && got != retry {
		t.Fatalf("Retry-After %d, want %d", got, retry)
	}
	// Each of these has its exact Chinese in problems_test.go; here: Chinese, whole.
	if zh := p.In(qrcircles.LangChinese); !strings.ContainsRune(zh, '。') || strings.ContainsAny(zh, "abcdefghijklmnopqrstuvwxyz") {
		t.Fatalf("problem %q in Chinese: %q", message, zh)
	}
}

func TestSendThenVerifyOnce(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(db)
		ctx := context.Background()
		id, e164, err := f.Send(ctx, "138 0013 8000", otp.Origin{IP: "1.2.3.4"}, "zh", at(0))
		if err != nil || e164 != cnPhone {
			t.Fatalf("Send = %q, %v", e164, err)
		}
		code := f.codes[cnPhone]
		stored, err := db.OTPChallenge(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(stored.CodeHash, otp.HashCode(secret, id, code)) || stored.Provider != sms.ProviderConsole {
			t.Fatalf("stored %+v; want the keyed hash of the code", stored)
		}
		got, err := f.Verify(ctx, id, code[:3]+" "+code[3:], "1.2.3.4", at(4*time.Minute))
		if err != nil || got != cnPhone {
			t.Fatalf("Verify = %q, %v", got, err)
		}
		_, err = f.Verify(ctx, id, code, "1.2.3.4", at(4*time.Minute))
		wantProblem(t, err, qrcircles.EGone, "code", "This code has already been used. Request a new one.", 0)
	})
}

// sendStep is one send request and the refusal expected, if any.
type sendStep struct {
	at        time.Duration
	phone, ip string
	message   string // of the refusal; empty when the code is sent
	retry     int    // Retry-After in seconds
}

func TestSendRefusals(t *testing.T) {
	s := time.Second
	phone := func(i int) string { return fmt.Sprintf("+86138001380%02d", i) }
	var perIP []sendStep
	for i := range 20 {
		perIP = append(perIP, sendStep{at: time.Duration(i) * s, phone: phone(i), ip: "ip"})
	}
	perIP = append(perIP,
		sendStep{20 * s, phone(20), "ip", "Too many codes were requested from your network. Try again in 60 min.", 3580},
		sendStep{20 * s, phone(20), "another ip", "", 0})
	for _, tc := range []struct {
		name   string
		budget int
		steps  []sendStep
	}{
		{"60 s between codes to one number", 1000, []sendStep{
			{0, cnPhone, "a", "", 0},
			{18 * s, cnPhone, "b", "Too many codes for this number. Try again in 42 s.", 42},
			{60 * s, cnPhone, "a", "", 0},
		}},
		{"6th code in an hour", 1000, []sendStep{
			{0, cnPhone, "a", "", 0}, {60 * s, cnPhone, "a", "", 0}, {120 * s, cnPhone, "a", "", 0},
			{180 * s, cnPhone, "a", "", 0}, {240 * s, cnPhone, "a", "", 0},
			{300 * s, cnPhone, "a", "Too many codes for this number. Try again in 55 min.", 3300},
			{3600 * s, cnPhone, "a", "", 0},
		}},
		{"21st code from one IP", 1000, perIP},
		{"global budget", 2, []sendStep{
			{0, phone(1), "a", "", 0}, {s, phone(2), "b", "", 0},
			{2 * s, phone(3), "c", "We are sending too many codes right now. Try again in 60 min.", 3598},
		}},
		// 26 requests from one IP, of which 25 refused: the 20 an hour are not used up.
		{"refused sends use none of the budget", 1000, append(refusedByGap(cnPhone, "ip", 25),
			sendStep{30 * s, phone(1), "ip", "", 0})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
				f := newFixture(db)
				f.Policy.GlobalPerHour = tc.budget
				wantSent := 0
				for i, st := range tc.steps {
					_, _, err := f.Send(context.Background(), st.phone, otp.Origin{IP: st.ip}, "en", at(st.at))
					if st.message == "" {
						if err != nil {
							t.Fatalf("step %d: %v", i+1, err)
						}
						wantSent++
						continue
					}
					wantProblem(t, err, qrcircles.ETooMany, "", st.message, st.retry)
				}
				if f.sent != wantSent {
					t.Fatalf("%d codes sent, want %d", f.sent, wantSent)
				}
			})
		})
	}
}

// refusedByGap is one send to phone followed by n sends, a second apart, that the gap refuses.
func refusedByGap(phone, ip string, n int) []sendStep {
	steps := []sendStep{{0, phone, ip, "", 0}}
	for i := 1; i <= n; i++ {
		msg := fmt.Sprintf("Too many codes for this number. Try again in %d s.", 60-i)
		steps = append(steps, sendStep{time.Duration(i) * time.Second, phone, ip, msg, 60 - i})
	}
	return steps
}

func TestInvalidPhoneSendsNothing(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(db)
		_, _, err := f.Send(context.Background(), "138", otp.Origin{IP: "ip"}, "en", at(0))
		wantProblem(t, err, qrcircles.EInvalid, "phone", "This phone number is too short. Check the digits.", 0)
		if f.sent != 0 {
			t.Fatalf("%d codes sent", f.sent)
		}
	})
}

func TestVerifyOutcomes(t *testing.T) {
	m := time.Minute
	type try struct {
		at       time.Duration
		input    string // "right" and "wrong" stand for the code sent and another
		wantCode string // of the problem; empty for success
		field    string
		message  string
	}
	wrong := func(left string) try {
		return try{m, "wrong", qrcircles.EInvalid, "code", "That code is not right. " + left + " left."}
	}
	dead := "Too many wrong codes. Request a new one."
	for _, tc := range []struct {
		name  string
		tries []try
	}{
		{"right code just before expiry", []try{{5*m - time.Second, "right", "", "", ""}}},
		{"expired at exactly 5 min", []try{{5 * m, "right", qrcircles.EGone, "code", "This code has expired. Request a new one."}}},
		{"5 wrong tries kill the code", []try{
			wrong("4 tries"), wrong("3 tries"), wrong("2 tries"), wrong("1 try"),
			{m, "wrong", qrcircles.EGone, "code", dead},
			{m, "right", qrcircles.EGone, "code", dead},
		}},
		{"right code after 4 wrong tries", []try{wrong("4 tries"), wrong("3 tries"), wrong("2 tries"), wrong("1 try"), {m, "right", "", "", ""}}},
		{"a malformed code is not a wrong try", []try{
			{m, "12a456", qrcircles.EInvalid, "code", "Enter the 6-digit code from the SMS."},
			wrong("4 tries"),
		}},
		{"used once", []try{{m, "right", "", "", ""}, {m, "right", qrcircles.EGone, "code", "This code has already been used. Request a new one."}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
				f := newFixture(db)
				id := f.send(t, cnPhone, "ip", at(0))
				for i, tr := range tc.tries {
					code := tr.input
					switch code {
					case "right":
						code = f.codes[cnPhone]
					case "wrong":
						code = otherCode(f.codes[cnPhone])
					}
					got, err := f.Verify(context.Background(), id, code, "ip", at(tr.at))
					if tr.wantCode == "" {
						if err != nil || got != cnPhone {
							t.Fatalf("try %d: %q, %v", i+1, got, err)
						}
						continue
					}
					wantProblem(t, err, tr.wantCode, tr.field, tr.message, 0)
				}
			})
		})
	}
}

func otherCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestUnknownChallengeIsGone(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		_, err := newFixture(db).Verify(context.Background(), "no-such-id", "123456", "ip", at(0))
		wantProblem(t, err, qrcircles.EGone, "code", "This code has expired. Request a new one.", 0)
	})
}

// A venue behind one address: its attendees' right codes never count against the address,
// so the hundredth is let in as the first was; a wrong code still counts.
func TestRightCodesFromOneNetworkAreNeverRefused(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(db)
		f.Policy.VerifyPerIPPerHour = 3
		ctx := context.Background()
		venue := otp.Origin{IP: "venue", CircleID: 1, CircleBudget: 1000}
		for i := range 100 {
			phone := fmt.Sprintf("+86138%08d", i)
			id, _, err := f.Send(ctx, phone, venue, "en", at(0))
			if err != nil {
				t.Fatalf("attendee %d: send: %v", i+1, err)
			}
			if got, err := f.Verify(ctx, id, f.codes[phone], "venue", at(time.Second)); err != nil || got != phone {
				t.Fatalf("attendee %d: verify = %q, %v", i+1, got, err)
			}
		}
		id, _, err := f.Send(ctx, "+8613900000000", venue, "en", at(0))
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			_, err = f.Verify(ctx, id, otherCode(f.codes["+8613900000000"]), "venue", at(time.Second))
			wantProblem(t, err, qrcircles.EInvalid, "code", qrcircles.ProblemOf(err).Detail, 0)
		}
		_, err = f.Verify(ctx, id, f.codes["+8613900000000"], "venue", at(time.Second))
		wantProblem(t, err, qrcircles.ETooMany, "", "Too many tries from your network. Try again in 60 min.", 3600)
	})
}

func TestVerifyPerIPLimit(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(db)
		id := f.send(t, cnPhone, "ip", at(0))
		ctx := context.Background()
		for i := range 60 {
			_, err := f.Verify(ctx, id, "bad", "ip", at(time.Duration(i)*time.Second))
			wantProblem(t, err, qrcircles.EInvalid, "code", "Enter the 6-digit code from the SMS.", 0)
		}
		_, err := f.Verify(ctx, id, f.codes[cnPhone], "ip", at(time.Minute))
		wantProblem(t, err, qrcircles.ETooMany, "", "Too many tries from your network. Try again in 59 min.", 3540)
		if got, err := f.Verify(ctx, id, f.codes[cnPhone], "another ip", at(time.Minute)); err != nil || got != cnPhone {
			t.Fatalf("from another IP: %q, %v", got, err)
		}
	})
}

func TestSecretRequiredWhenTheServerMakesCodes(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(db)
		f.Secret = nil
		_, _, err := f.Send(context.Background(), cnPhone, otp.Origin{IP: "ip"}, "en", at(0))
		if qrcircles.CodeOf(err) != qrcircles.EInternal || f.sent != 0 {
			t.Fatalf("Send without a secret: %v, %d sent", err, f.sent)
		}
	})
}

func TestWithTwilio(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		for _, tc := range []struct {
			name   string
			sender func(*smstest.FakeTwilio) sms.Sender
		}{
			{"messaging", func(fake *smstest.FakeTwilio) sms.Sender {
				return sms.NewTwilioMessaging(smstest.AccountSID, smstest.AuthToken, smstest.FromNumber, fake.Client())
			}},
			{"verify", func(fake *smstest.FakeTwilio) sms.Sender {
				return sms.NewTwilioVerify(smstest.AccountSID, smstest.AuthToken, smstest.VerifyServiceSID, fake.Client())
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fake := smstest.New(t)
				var logs bytes.Buffer
				svc := &phoneauth.Service{
					Store: db, Sender: tc.sender(fake), Policy: otp.DefaultPolicy(1000), Secret: secret,
					DefaultRegion: "CN", Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				}
				phone := "+86138001380" + map[string]string{"messaging": "01", "verify": "02"}[tc.name]

				id, _, err := svc.Send(ctx, phone, otp.Origin{IP: "ip-" + tc.name}, "zh", at(0))
				if err != nil {
					t.Fatal(err)
				}
				code, ok := fake.LastCode(phone)
				if !ok {
					t.Fatalf("Twilio got no code for %s: %+v", phone, fake.Messages())
				}
				checkStored(t, db, id, code, tc.name, fake.Messages()[0])
				_, err = svc.Verify(ctx, id, otherCode(code), "ip", at(time.Minute))
				wantProblem(t, err, qrcircles.EInvalid, "code", "That code is not right. 4 tries left.", 0)
				if got, err := svc.Verify(ctx, id, code, "ip", at(time.Minute)); err != nil || got != phone {
					t.Fatalf("Verify = %q, %v", got, err)
				}
				if strings.Contains(logs.String(), code) {
					t.Fatalf("the code was logged: %s", logs.String())
				}

				fake.FailNext(429, 60203)
				_, _, err = svc.Send(ctx, phone, otp.Origin{IP: "ip-" + tc.name}, "zh", at(2*time.Minute))
				wantProblem(t, err, qrcircles.ETooMany, "", "Too many codes for this number. Try again in 10 min.", 600)

				fake.SetOffline(true)
				_, _, err = svc.Send(ctx, phone, otp.Origin{IP: "ip-" + tc.name}, "zh", at(4*time.Minute))
				wantProblem(t, err, qrcircles.EUnavailable, "", "We cannot send or check SMS codes right now. Please try again in a few minutes.", 0)
			})
		}
	})
}

// checkStored checks what the challenge keeps: the keyed hash of a code the server made, only
// the provider's reference when Twilio Verify made it.
func checkStored(t *testing.T, db *storage.DB, id, code, provider string, delivered smstest.Message) {
	t.Helper()
	ch, err := db.OTPChallenge(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if ch.ProviderRef != delivered.Sid {
		t.Errorf("provider ref %q, want %q", ch.ProviderRef, delivered.Sid)
	}
	switch provider {
	case "messaging":
		// The sign-in came from a Chinese page: the text is Chinese.
		if delivered.Body != "二维码好友圈验证码："+code+"（5分钟内有效）" || !bytes.Equal(ch.CodeHash, otp.HashCode(secret, id, code)) {
			t.Errorf("body %q, stored hash %x", delivered.Body, ch.CodeHash)
		}
	case "verify":
		if ch.CodeHash != nil {
			t.Errorf("a hash was stored for a code Twilio made: %x", ch.CodeHash)
		}
	}
}

func TestVerifyProviderDownKeepsTheTry(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		fake := smstest.New(t)
		svc := &phoneauth.Service{
			Store: db, Sender: sms.NewTwilioVerify(smstest.AccountSID, smstest.AuthToken, smstest.VerifyServiceSID, fake.Client()),
			Policy: otp.DefaultPolicy(1000), DefaultRegion: "CN",
		}
		id, _, err := svc.Send(ctx, cnPhone, otp.Origin{IP: "ip"}, "en", at(0))
		if err != nil {
			t.Fatal(err)
		}
		code, _ := fake.LastCode(cnPhone)
		fake.SetOffline(true)
		_, err = svc.Verify(ctx, id, code, "ip", at(time.Minute))
		wantProblem(t, err, qrcircles.EUnavailable, "", "We cannot send or check SMS codes right now. Please try again in a few minutes.", 0)
		if ch, _ := db.OTPChallenge(ctx, id); ch.WrongTries != 0 || otp.Used(ch) || ch.CodeHash != nil {
			t.Fatalf("after the provider failed: %+v", ch)
		}
		fake.SetOffline(false)
		if got, err := svc.Verify(ctx, id, code, "ip", at(time.Minute)); err != nil || got != cnPhone {
			t.Fatalf("Verify once Twilio is back = %q, %v", got, err)
		}
	})
}

// parallel runs fn n times at once and returns the errors.
func parallel(n int, fn func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errs
}

func TestConcurrentRequests(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(db)
		var mu sync.Mutex
		sink := f.Sender.(*sms.Console).Sink
		f.Sender.(*sms.Console).Sink = func(p, c string) { mu.Lock(); defer mu.Unlock(); sink(p, c) }

		errs := parallel(10, func() error { _, _, err := f.Send(ctx, cnPhone, otp.Origin{IP: "ip"}, "en", at(0)); return err })
		if n := count(errs, ""); n != 1 || f.sent != 1 || count(errs, qrcircles.ETooMany) != 9 {
			t.Fatalf("10 sends at once to one number: %d succeeded, %d sent; want 1: %v", n, f.sent, errs)
		}

		id := f.send(t, "+8613800138001", "ip", at(0))
		wrong := otherCode(f.codes["+8613800138001"])
		errs = parallel(10, func() error { _, err := f.Verify(ctx, id, wrong, "ip", at(time.Minute)); return err })
		if ch, _ := db.OTPChallenge(ctx, id); ch.WrongTries != 5 || count(errs, qrcircles.EInvalid) != 4 || count(errs, qrcircles.EGone) != 6 {
			t.Fatalf("10 wrong codes at once: %d wrong tries recorded, want 5: %v", ch.WrongTries, errs)
		}

		id = f.send(t, "+8613800138002", "ip", at(0))
		right := f.codes["+8613800138002"]
		errs = parallel(10, func() error { _, err := f.Verify(ctx, id, right, "ip", at(time.Minute)); return err })
		if count(errs, "") != 1 || count(errs, qrcircles.EGone) != 9 {
			t.Fatalf("10 right codes at once: want one success: %v", errs)
		}
	})
}

// count is the number of errs with this problem code; "" counts the nils.
func count(errs []error, code string) int {
	n := 0
	for _, err := range errs {
		if (err == nil && code == "") || (err != nil && qrcircles.CodeOf(err) == code) {
			n++
		}
	}
	return n
}

// Past its circle's budget a sign-in counts against its IP like one without a circle: the
// next attendees still get codes, until the IP's limit asks for a proof of work.
func TestPastTheCircleBudgetTheIPLimitHolds(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(db)
		small := otp.Origin{IP: "hall", CircleID: 4, CircleBudget: 2}
		for i := range 22 {
			if _, _, err := f.Send(ctx, fmt.Sprintf("+86139%08d", i), small, "zh", at(time.Duration(i)*time.Second)); err != nil {
				t.Fatalf("attendee %d of a circle budgeted for 2: %v", i+1, err)
			}
		}
		_, _, err := f.Send(ctx, "+8613600000000", small, "zh", at(30*time.Second))
		if !errors.Is(err, phoneauth.ErrProofRequired) {
			t.Fatalf("attendee 23 (2 on the circle, 20 on the IP): %v, want a refusal a proof lifts", err)
		}
		if _, _, err := f.Send(ctx, "+8613600000001", otp.Origin{IP: "elsewhere", CircleID: 4, CircleBudget: 2}, "zh", at(31*time.Second)); err != nil {
			t.Fatalf("an attendee on another network past the budget: %v", err)
		}
		if f.sent != 23 {
			t.Fatalf("%d codes sent, want 23", f.sent)
		}
	})
}

// A venue of 300 behind one address signs in from its circle's page; without a circle the
// 21st request from one address needs a proof of work, which lifts the IP's limit; numbers
// of regions not listed get no code.
func TestVenueProofAndRegions(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(db)
		venue := otp.Origin{IP: "venue", CircleID: 9, CircleBudget: qrcircles.CircleSMSBudget(0, 0)}
		for i := range 300 {
			if _, _, err := f.Send(ctx, fmt.Sprintf("+86139%08d", i), venue, "zh", at(time.Duration(i)*time.Second)); err != nil {
				t.Fatalf("attendee %d: %v", i+1, err)
			}
		}
		plain := otp.Origin{IP: "venue"}
		for i := range 20 {
			if _, _, err := f.Send(ctx, fmt.Sprintf("+86137%08d", i), plain, "zh", at(400*time.Second)); err != nil {
				t.Fatalf("sign-in %d without a circle: %v", i+1, err)
			}
		}
		_, _, err := f.Send(ctx, "+8613600000000", plain, "zh", at(401*time.Second))
		if !errors.Is(err, phoneauth.ErrProofRequired) || qrcircles.CodeOf(err) != qrcircles.ETooMany {
			t.Fatalf("21st without a circle: %v, want a refusal a proof lifts", err)
		}
		plain.Proven = true
		if _, _, err := f.Send(ctx, "+8613600000000", plain, "zh", at(402*time.Second)); err != nil {
			t.Fatalf("21st with a proof: %v", err)
		}
		if f.sent != 321 {
			t.Fatalf("%d codes sent, want 321", f.sent)
		}
		f.Regions = []string{"CN"}
		_, _, err = f.Send(ctx, "+14155550100", otp.Origin{IP: "x"}, "en", at(500*time.Second))
		if qrcircles.CodeOf(err) != qrcircles.EInvalid || f.sent != 321 {
			t.Fatalf("a US number with only CN allowed: %v (%d sent)", err, f.sent)
		}
		if _, _, err := f.Send(ctx, "+85291234567", otp.Origin{IP: "x"}, "en", at(500*time.Second)); err == nil {
			t.Fatal("a Hong Kong number with only CN allowed was sent a code")
		}
		if _, _, err := f.Send(ctx, "+8613500000000", otp.Origin{IP: "x"}, "en", at(500*time.Second)); err != nil {
			t.Fatalf("a CN number: %v", err)
		}
	})
}
