package sms_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"

	"qrcircles/authz/sms"
	"qrcircles/authz/sms/smstest"
)

const phone = "+8613800138000"

func TestBody(t *testing.T) {
	for _, tc := range []struct {
		locale string
		ttl    time.Duration
		want   string
	}{
		{"en", 5 * time.Minute, "QR Circles code: 012345 (5 min)"},
		{"en", 90 * time.Second, "QR Circles code: 012345 (2 min)"},
		{"zh-Hans", 5 * time.Minute, "二维码好友圈验证码：012345（5分钟内有效）"},
		{"zh-CN", 90 * time.Second, "二维码好友圈验证码：012345（2分钟内有效）"},
		{"fr", 5 * time.Minute, "QR Circles code: 012345 (5 min)"},
		{"", 5 * time.Minute, "QR Circles code: 012345 (5 min)"},
	} {
		m := sms.Message{Code: "012345", Locale: tc.locale, TTL: tc.ttl}
		if got := m.Body(); got != tc.want {
			t.Errorf("Body(%s, %v) = %q, want %q", tc.locale, tc.ttl, got, tc.want)
		}
	}
}

func TestWhoChecksTheCode(t *testing.T) {
	for _, tc := range []struct {
		s            sms.Sender
		provider     string
		providerChks bool
	}{
		{&sms.Console{}, sms.ProviderConsole, false},
		{sms.NewTwilioMessaging("AC1", "t", "+1", nil), sms.ProviderTwilioMessaging, false},
		{sms.NewTwilioVerify("AC1", "t", "VA1", nil), sms.ProviderTwilioVerify, true},
	} {
		_, isVerifier := tc.s.(sms.Verifier)
		if tc.s.Provider() != tc.provider || isVerifier != tc.providerChks {
			t.Errorf("%T: provider %q, verifier %v; want %q, %v", tc.s, tc.s.Provider(), isVerifier, tc.provider, tc.providerChks)
		}
	}
}

func TestConsoleLogsAndSinksTheCode(t *testing.T) {
	var logs bytes.Buffer
	var sunk []string
	c := &sms.Console{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Sink:   func(phone, code string) { sunk = append(sunk, phone+" "+code) },
	}
	ref, err := c.Send(context.Background(), sms.Message{To: phone, Code: "042042", TTL: 5 * time.Minute})
	if err != nil || ref != "" {
		t.Fatalf("Send = %q, %v", ref, err)
	}
	if len(sunk) != 1 || sunk[0] != phone+" 042042" {
		t.Fatalf("sink got %q", sunk)
	}
	if !strings.Contains(logs.String(), phone) || !strings.Contains(logs.String(), "code=042042") {
		t.Fatalf("log lacks phone or code: %s", logs.String())
	}
}

func TestMessagingSendsTheCode(t *testing.T) {
	for _, tc := range []struct {
		name, from, wantFrom, wantService string
	}{
		{"from a number", smstest.FromNumber, smstest.FromNumber, ""},
		{"from a messaging service", smstest.MessagingService, "", smstest.MessagingService},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := smstest.New(t)
			s := sms.NewTwilioMessaging(smstest.AccountSID, smstest.AuthToken, tc.from, fake.Client())
			ref, err := s.Send(context.Background(), sms.Message{To: phone, Code: "123456", TTL: 5 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			reqs := fake.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			wantPath := "/2010-04-01/Accounts/" + smstest.AccountSID + "/Messages.json"
			if r.Method != "POST" || r.Host != "api.twilio.com" || r.Path != wantPath {
				t.Errorf("request %s %s%s, want POST api.twilio.com%s", r.Method, r.Host, r.Path, wantPath)
			}
			if r.User != smstest.AccountSID || r.Password != smstest.AuthToken {
				t.Errorf("basic auth %q:%q", r.User, r.Password)
			}
			want := map[string]string{"To": phone, "Body": sms.Message{Code: "123456", TTL: 5 * time.Minute}.Body(), "From": tc.wantFrom, "MessagingServiceSid": tc.wantService}
			for k, v := range want {
				if got := r.Form.Get(k); got != v {
					t.Errorf("form %s = %q, want %q", k, got, v)
				}
			}
			if msgs := fake.Messages(); len(msgs) != 1 || ref != msgs[0].Sid || !strings.HasPrefix(ref, "SM") {
				t.Errorf("ref %q, delivered %+v", ref, msgs)
			}
		})
	}
}

func TestVerifySendsAndChecks(t *testing.T) {
	fake := smstest.New(t)
	v := sms.NewTwilioVerify(smstest.AccountSID, smstest.AuthToken, smstest.VerifyServiceSID, fake.Client())
	ctx := context.Background()
	ref, err := v.Send(ctx, sms.Message{To: phone, Locale: "zh-CN", TTL: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r := fake.Requests()[0]
	if r.Host != "verify.twilio.com" || r.Path != "/v2/Services/"+smstest.VerifyServiceSID+"/Verifications" {
		t.Errorf("request to %s%s", r.Host, r.Path)
	}
	if r.Form.Get("To") != phone || r.Form.Get("Channel") != "sms" || r.Form.Get("Locale") != "zh" || r.User != smstest.AccountSID {
		t.Errorf("verification request %+v", r)
	}
	code, ok := fake.LastCode(phone)
	if !ok || !strings.HasPrefix(ref, "VE") {
		t.Fatalf("ref %q, code delivered: %v", ref, ok)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for _, tc := range []struct {
		name, ref, code string
		want            error
	}{
		{"wrong code", ref, wrong, sms.ErrWrongCode},
		{"right code", ref, code, nil},
		{"right code again", ref, code, sms.ErrCodeExpired},
		{"unknown verification", "VEffffffffffffffffffffffffffffffff", code, sms.ErrCodeExpired},
	} {
		err := v.Check(ctx, tc.ref, phone, tc.code)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: Check = %v, want %v", tc.name, err, tc.want)
		}
	}
	check := fake.Requests()[2]
	if check.Path != "/v2/Services/"+smstest.VerifyServiceSID+"/VerificationCheck" || check.Form.Get("Code") != code || check.Form.Get("VerificationSid") != ref {
		t.Errorf("check request %+v", check)
	}
}

var sentinels = []error{sms.ErrInvalidPhone, sms.ErrTooManyAttempts, sms.ErrRateLimited, sms.ErrUnavailable, sms.ErrWrongCode, sms.ErrCodeExpired}

func TestTwilioFailures(t *testing.T) {
	for _, tc := range []struct {
		name         string
		op           string // "message", "verify" or "check"
		status, code int    // scripted Twilio error; 0 for none
		offline      bool
		to           string
		want         error
		wantRest     bool // the Twilio error stays in the chain for the log
	}{
		{"verify: invalid parameter", "verify", 400, 60200, false, phone, sms.ErrInvalidPhone, true},
		{"verify: max send attempts", "verify", 429, 60203, false, phone, sms.ErrTooManyAttempts, true},
		{"verify: too many requests", "verify", 429, 20429, false, phone, sms.ErrRateLimited, true},
		{"verify: server error", "verify", 500, 20500, false, phone, sms.ErrUnavailable, true},
		{"verify: network down", "verify", 0, 0, true, phone, sms.ErrUnavailable, false},
		{"message: invalid To", "message", 400, 21211, false, phone, sms.ErrInvalidPhone, true},
		{"message: not a mobile number", "message", 400, 21614, false, phone, sms.ErrInvalidPhone, true},
		{"message: too many requests", "message", 429, 20429, false, phone, sms.ErrRateLimited, true},
		{"message: HTTP 429 with another code", "message", 429, 20001, false, phone, sms.ErrRateLimited, true},
		{"message: gateway error without JSON", "message", 503, 0, false, phone, sms.ErrUnavailable, false},
		{"message: bad credentials", "message", 401, 20003, false, phone, sms.ErrUnavailable, true},
		{"message: network down", "message", 0, 0, true, phone, sms.ErrUnavailable, false},
		{"message: Twilio itself refuses the number", "message", 0, 0, false, "12345", sms.ErrInvalidPhone, true},
		{"verify: Twilio itself refuses the number", "verify", 0, 0, false, "12345", sms.ErrInvalidPhone, true},
		{"check: max check attempts", "check", 429, 60202, false, phone, sms.ErrTooManyAttempts, true},
		{"check: not found", "check", 404, 20404, false, phone, sms.ErrCodeExpired, true},
		{"check: network down", "check", 0, 0, true, phone, sms.ErrUnavailable, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := smstest.New(t)
			if tc.status != 0 {
				fake.FailNext(tc.status, tc.code)
			}
			fake.SetOffline(tc.offline)
			err := run(fake, tc.op, tc.to)
			for _, s := range sentinels {
				if errors.Is(err, s) != (s == tc.want) {
					t.Errorf("error %v: is %v = %v", err, s, !(s == tc.want))
				}
			}
			var rest *client.TwilioRestError
			if errors.As(err, &rest) != tc.wantRest {
				t.Errorf("error %v: Twilio error in chain = %v, want %v", err, !tc.wantRest, tc.wantRest)
			}
		})
	}
}

func run(fake *smstest.FakeTwilio, op, to string) error {
	ctx := context.Background()
	m := sms.Message{To: to, Code: "123456", TTL: 5 * time.Minute}
	v := sms.NewTwilioVerify(smstest.AccountSID, smstest.AuthToken, smstest.VerifyServiceSID, fake.Client())
	switch op {
	case "message":
		_, err := sms.NewTwilioMessaging(smstest.AccountSID, smstest.AuthToken, smstest.FromNumber, fake.Client()).Send(ctx, m)
		return err
	case "verify":
		_, err := v.Send(ctx, m)
		return err
	}
	return v.Check(ctx, "VE00000000000000000000000000000001", to, "123456")
}
