// Package smstest is a local fake of the parts of Twilio's HTTP API that QR Circles calls
// (Programmable Messaging and Verify), for tests that drive the real twilio-go client.
package smstest

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Credentials the fake accepts.
const (
	AccountSID       = "AC00000000000000000000000000000001"
	AuthToken        = "faketoken0000000000000000000000001"
	VerifyServiceSID = "VA00000000000000000000000000000001"
	MessagingService = "MG00000000000000000000000000000001"
	FromNumber       = "+15005550006"
)

// maxChecks is how many checks Twilio Verify allows on one verification.
const maxChecks = 5

// Request is one request the fake received.
type Request struct {
	Method, Host, Path string
	User, Password     string // basic auth
	Form               url.Values
}

// Message is one SMS the fake delivered: the body of a Messaging request, or the text
// Verify sent with the code it made.
type Message struct {
	Sid, To, From, MessagingServiceSid, Body string
}

// Failure is an error response the fake gives instead of handling a request. Code 0 sends a
// body that is not JSON, as a proxy in front of Twilio might.
type Failure struct {
	Status, Code int
}

// FakeTwilio is the fake server. Its zero value is not usable; call New.
type FakeTwilio struct {
	server *httptest.Server

	mu            sync.Mutex
	requests      []Request
	messages      []Message
	failures      []Failure
	offline       bool
	verifications map[string]*verification
	seq           int
}

type verification struct {
	sid, to, code, status string
	checks                int
}

// New starts a fake for the test; it stops when the test ends.
func New(t testing.TB) *FakeTwilio {
	f := &FakeTwilio{verifications: map[string]*verification{}}
	f.server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	return f
}

// Client returns an HTTP client that sends every request for *.twilio.com to the fake and
// refuses every other host.
func (f *FakeTwilio) Client() *http.Client {
	target, _ := url.Parse(f.server.URL)
	return &http.Client{Transport: &rewriter{fake: f, target: target, next: f.server.Client().Transport}}
}

// Requests returns every request received so far.
func (f *FakeTwilio) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// Messages returns every SMS delivered so far.
func (f *FakeTwilio) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.messages...)
}

var codeInText = regexp.MustCompile(`\b\d{6}\b`)

// LastCode returns the code in the last SMS delivered to phone.
func (f *FakeTwilio) LastCode(phone string) (string, bool) {
	msgs := f.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == phone {
			code := codeInText.FindString(msgs[i].Body)
			return code, code != ""
		}
	}
	return "", false
}

// FailNext makes the next request get a Twilio error response with this HTTP status and
// Twilio error code. Calls queue up.
func (f *FakeTwilio) FailNext(status, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, Failure{status, code})
}

// SetOffline makes the client's transport fail as when the network is down.
func (f *FakeTwilio) SetOffline(offline bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offline = offline
}

func (f *FakeTwilio) isOffline() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.offline
}

// rewriter leads Twilio's hosts to the fake. The Host header keeps the name the client asked
// for, so the fake knows which of Twilio's APIs was meant.
type rewriter struct {
	fake   *FakeTwilio
	target *url.URL
	next   http.RoundTripper
}

func (r *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	var err error
	switch {
	case r.fake.isOffline():
		err = errors.New("smstest: dial tcp: connect: network is unreachable")
	case host != "twilio.com" && !strings.HasSuffix(host, ".twilio.com"):
		err = fmt.Errorf("smstest: refusing to reach %s", host)
	}
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = r.target.Scheme, r.target.Host, req.URL.Host
	return r.next.RoundTrip(out)
}

var (
	messagesPath     = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages\.json$`)
	verificationPath = regexp.MustCompile(`^/v2/Services/([^/]+)/(Verifications|VerificationCheck)$`)
	e164             = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)
)

func (f *FakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 20001)
		return
	}
	user, pass, _ := r.BasicAuth()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{r.Method, r.Host, r.URL.Path, user, pass, r.PostForm})
	if len(f.failures) > 0 {
		fail := f.failures[0]
		f.failures = f.failures[1:]
		twilioError(w, fail.Status, fail.Code)
		return
	}
	if !authorized(user, pass) {
		twilioError(w, http.StatusUnauthorized, 20003)
		return
	}
	host, _, _ := strings.Cut(r.Host, ":")
	m, v := messagesPath.FindStringSubmatch(r.URL.Path), verificationPath.FindStringSubmatch(r.URL.Path)
	switch {
	case r.Method != http.MethodPost:
		twilioError(w, http.StatusMethodNotAllowed, 20004)
	case host == "api.twilio.com" && m != nil && m[1] == AccountSID:
		f.createMessage(w, r.PostForm)
	case host == "verify.twilio.com" && v != nil && v[1] == VerifyServiceSID && v[2] == "Verifications":
		f.createVerification(w, r.PostForm)
	case host == "verify.twilio.com" && v != nil && v[1] == VerifyServiceSID:
		f.checkVerification(w, r.PostForm)
	default:
		twilioError(w, http.StatusNotFound, 20404)
	}
}

func authorized(user, pass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(AccountSID))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(AuthToken))
	return u&p == 1
}

func (f *FakeTwilio) createMessage(w http.ResponseWriter, form url.Values) {
	switch {
	case !e164.MatchString(form.Get("To")):
		twilioError(w, http.StatusBadRequest, 21211)
		return
	case form.Get("From") == "" && form.Get("MessagingServiceSid") == "":
		twilioError(w, http.StatusBadRequest, 21603)
		return
	case form.Get("Body") == "":
		twilioError(w, http.StatusBadRequest, 21602)
		return
	}
	msg := Message{f.sid("SM"), form.Get("To"), form.Get("From"), form.Get("MessagingServiceSid"), form.Get("Body")}
	f.messages = append(f.messages, msg)
	writeJSON(w, http.StatusCreated, map[string]any{
		"sid": msg.Sid, "account_sid": AccountSID, "to": msg.To, "from": msg.From,
		"messaging_service_sid": msg.MessagingServiceSid, "body": msg.Body, "status": "queued",
	})
}

func (f *FakeTwilio) createVerification(w http.ResponseWriter, form url.Values) {
	if !e164.MatchString(form.Get("To")) || form.Get("Channel") != "sms" {
		twilioError(w, http.StatusBadRequest, 60200)
		return
	}
	v := &verification{sid: f.sid("VE"), to: form.Get("To"), code: fmt.Sprintf("%06d", rand.IntN(1_000_000)), status: "pending"}
	f.verifications[v.sid] = v
	f.messages = append(f.messages, Message{Sid: v.sid, To: v.to, From: "Verify", Body: "Your verification code is: " + v.code})
	writeJSON(w, http.StatusCreated, verificationJSON(v))
}

func (f *FakeTwilio) checkVerification(w http.ResponseWriter, form url.Values) {
	if form.Get("Code") == "" {
		twilioError(w, http.StatusBadRequest, 60200)
		return
	}
	v := f.findVerification(form.Get("VerificationSid"), form.Get("To"))
	if v == nil || v.status != "pending" {
		twilioError(w, http.StatusNotFound, 20404)
		return
	}
	if v.checks++; v.checks > maxChecks {
		twilioError(w, http.StatusTooManyRequests, 60202)
		return
	}
	if subtle.ConstantTimeCompare([]byte(form.Get("Code")), []byte(v.code)) == 1 {
		v.status = "approved"
	}
	writeJSON(w, http.StatusOK, verificationJSON(v))
}

func (f *FakeTwilio) findVerification(sid, to string) *verification {
	if sid != "" {
		return f.verifications[sid]
	}
	var last *verification
	for _, v := range f.verifications {
		if v.to == to && v.status == "pending" && (last == nil || v.sid > last.sid) {
			last = v
		}
	}
	return last
}

func verificationJSON(v *verification) map[string]any {
	return map[string]any{
		"sid": v.sid, "service_sid": VerifyServiceSID, "account_sid": AccountSID, "to": v.to,
		"channel": "sms", "status": v.status, "valid": v.status == "approved",
	}
}

func (f *FakeTwilio) sid(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s%032x", prefix, f.seq)
}

var errorMessages = map[int]string{
	20003: "Authenticate",
	20404: "The requested resource was not found",
	20429: "Too Many Requests",
	21211: "Invalid 'To' Phone Number",
	21602: "Message body is required.",
	21603: "A 'From' or 'MessagingServiceSid' parameter is required",
	21614: "'To' number is not a valid mobile number",
	60200: "Invalid parameter",
	60202: "Max check attempts reached",
	60203: "Max send attempts reached",
}

// twilioError writes Twilio's error document, or plain text when code is 0.
func twilioError(w http.ResponseWriter, status, code int) {
	if code == 0 {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		io.WriteString(w, "upstream connect error or disconnect/reset before headers")
		return
	}
	msg, ok := errorMessages[code]
	if !ok {
		msg = "Error"
	}
	writeJSON(w, status, map[string]any{
		"code": code, "message": msg, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
