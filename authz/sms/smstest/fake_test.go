package smstest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func post(t *testing.T, c *http.Client, rawURL, user, pass string, form url.Values) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, pass)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestFake(t *testing.T) {
	f := New(t)
	c := f.Client()
	msgURL := "https://api.twilio.com/2010-04-01/Accounts/" + AccountSID + "/Messages.json"
	ok := url.Values{"To": {"+14155552671"}, "From": {FromNumber}, "Body": {"code 123456"}}
	for _, tc := range []struct {
		name       string
		fail       *Failure
		url, user  string
		form       url.Values
		wantStatus int
	}{
		{"delivered", nil, msgURL, AccountSID, ok, http.StatusCreated},
		{"wrong credentials", nil, msgURL, "ACnobody", ok, http.StatusUnauthorized},
		{"other account", nil, strings.Replace(msgURL, AccountSID, "AC2", 1), AccountSID, ok, http.StatusNotFound},
		{"scripted failure comes first", &Failure{429, 20429}, msgURL, AccountSID, ok, http.StatusTooManyRequests},
		{"only once", nil, msgURL, AccountSID, ok, http.StatusCreated},
		{"unknown verify service", nil, "https://verify.twilio.com/v2/Services/VA2/Verifications", AccountSID, url.Values{"To": {"+14155552671"}, "Channel": {"sms"}}, http.StatusNotFound},
	} {
		if tc.fail != nil {
			f.FailNext(tc.fail.Status, tc.fail.Code)
		}
		if got := post(t, c, tc.url, tc.user, AuthToken, tc.form); got != tc.wantStatus {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.wantStatus)
		}
	}
	if code, found := f.LastCode("+14155552671"); !found || code != "123456" || len(f.Messages()) != 2 {
		t.Errorf("LastCode = %q, %v; %d messages", code, found, len(f.Messages()))
	}
}

func TestFakeClientReachesNothingElse(t *testing.T) {
	f := New(t)
	if _, err := f.Client().Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("request to another host: %v", err)
	}
	f.SetOffline(true)
	if _, err := f.Client().Get("https://api.twilio.com/"); err == nil {
		t.Fatal("request while offline succeeded")
	}
}
