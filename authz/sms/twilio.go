package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
	verify "github.com/twilio/twilio-go/rest/verify/v2"
)

// newRestClient returns a twilio-go client for the account. A nil httpClient leaves twilio-go's
// own (10 s timeout, no redirects); tests pass one whose transport leads to a fake Twilio.
func newRestClient(accountSID, authToken string, httpClient *http.Client) *twilio.RestClient {
	c := &client.Client{Credentials: client.NewCredentials(accountSID, authToken), HTTPClient: httpClient}
	c.SetAccountSid(accountSID)
	return twilio.NewRestClientWithParams(twilio.ClientParams{Client: c})
}

// TwilioMessaging sends a code the server made as an ordinary SMS through Twilio's
// Programmable Messaging API.
type TwilioMessaging struct {
	api  *api.ApiService
	from string
}

var _ Sender = (*TwilioMessaging)(nil)

// NewTwilioMessaging returns a sender for the account. from is a Twilio phone number or
// sender ID, or a messaging service SID (MG…).
func NewTwilioMessaging(accountSID, authToken, from string, httpClient *http.Client) *TwilioMessaging {
	return &TwilioMessaging{api: newRestClient(accountSID, authToken, httpClient).Api, from: from}
}

// Provider implements Sender.
func (t *TwilioMessaging) Provider() string { return ProviderTwilioMessaging }

// Send implements Sender; the reference is the message SID.
func (t *TwilioMessaging) Send(ctx context.Context, m Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p := (&api.CreateMessageParams{}).SetTo(m.To).SetBody(m.Body())
	if isMessagingServiceSID(t.from) {
		p.SetMessagingServiceSid(t.from)
	} else {
		p.SetFrom(t.from)
	}
	msg, err := t.api.CreateMessage(p) // twilio-go takes no context
	if err != nil {
		return "", fmt.Errorf("twilio messaging: %w: %w", classify(err), err)
	}
	return deref(msg.Sid), nil
}

func isMessagingServiceSID(s string) bool { return strings.HasPrefix(s, "MG") && len(s) == 34 }

// TwilioVerify lets Twilio Verify make, send and check the code.
type TwilioVerify struct {
	api     *verify.ApiService
	service string
}

var _ Verifier = (*TwilioVerify)(nil)

// NewTwilioVerify returns a verifier using the Verify service serviceSID (VA…).
func NewTwilioVerify(accountSID, authToken, serviceSID string, httpClient *http.Client) *TwilioVerify {
	return &TwilioVerify{api: newRestClient(accountSID, authToken, httpClient).VerifyV2, service: serviceSID}
}

// Provider implements Sender.
func (t *TwilioVerify) Provider() string { return ProviderTwilioVerify }

// Send implements Sender: it starts a verification by SMS, ignoring m.Code. The reference is
// the verification SID.
func (t *TwilioVerify) Send(ctx context.Context, m Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p := (&verify.CreateVerificationParams{}).SetTo(m.To).SetChannel("sms")
	if l := verifyLocale(m.Locale); l != "" {
		p.SetLocale(l)
	}
	v, err := t.api.CreateVerification(t.service, p)
	if err != nil {
		return "", fmt.Errorf("twilio verify: %w: %w", classify(err), err)
	}
	return deref(v.Sid), nil
}

// Check implements Verifier. Twilio answers 404 for a verification that expired, was
// approved already, or never existed.
func (t *TwilioVerify) Check(ctx context.Context, ref, phone, code string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := (&verify.CreateVerificationCheckParams{}).SetCode(code)
	if ref != "" {
		p.SetVerificationSid(ref)
	} else {
		p.SetTo(phone)
	}
	res, err := t.api.CreateVerificationCheck(t.service, p)
	if code, status, ok := restError(err); ok && (code == 20404 || status == http.StatusNotFound) {
		return fmt.Errorf("twilio verify check: %w: %w", ErrCodeExpired, err)
	}
	if err != nil {
		return fmt.Errorf("twilio verify check: %w: %w", classify(err), err)
	}
	if s := deref(res.Status); s != "approved" {
		return fmt.Errorf("twilio verify check: status %q: %w", s, ErrWrongCode)
	}
	return nil
}

// verifyLocale picks the language of Twilio's own text; empty lets Twilio choose by country.
func verifyLocale(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(locale), "-")
	switch lang {
	case "zh", "en":
		return lang
	}
	return ""
}

// classify tells which of this package's errors a Twilio failure is. Anything that is not a
// Twilio error response (a network failure, a body that is not JSON) means Twilio is
// unavailable, and so does an error we cannot act on (bad credentials, server errors).
func classify(err error) error {
	code, status, ok := restError(err)
	if !ok {
		return ErrUnavailable
	}
	switch code {
	case 60200, 21211, 21614, 21408, 21610, 21612, 60205:
		return ErrInvalidPhone
	case 60203, 60202:
		return ErrTooManyAttempts
	case 20429:
		return ErrRateLimited
	}
	if status == http.StatusTooManyRequests {
		return ErrRateLimited
	}
	return ErrUnavailable
}

// restError returns the Twilio error code and HTTP status of err, in either of the two
// formats twilio-go decodes.
func restError(err error) (code, status int, ok bool) {
	var legacy *client.TwilioRestError
	if errors.As(err, &legacy) {
		return legacy.Code, legacy.Status, true
	}
	var v1 *client.RestErrorV1
	if errors.As(err, &v1) {
		return v1.Code, v1.HttpStatusCode, true
	}
	return 0, 0, false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
