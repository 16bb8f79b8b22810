package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/admission"
	"qrcircles/resource/circles"
	"qrcircles/storage"
)

func TestFirstName(t *testing.T) {
	for in, want := range map[string]string{"Ann Lee": "Ann", "  Bo ": "Bo", "张伟": "伟", "欧阳娜娜": "阳娜娜", "李": "李", "": "", "Zoë 李": "Zoë"} {
		if got := firstName(in); got != want {
			t.Errorf("firstName(%q) = %q, want %q", in, got, want)
		}
	}
	ms := []storage.Member{{DisplayName: "A a"}, {DisplayName: "B b"}, {DisplayName: ""}, {DisplayName: "C"}, {DisplayName: "D"}, {DisplayName: "E"}, {DisplayName: "F"}}
	if got := strings.Join(latestFirstNames(ms), ","); got != "F,E,D,C,B" {
		t.Errorf("latest = %q, want the five newest first", got)
	}
}

func TestQueueFilter(t *testing.T) {
	f := queueFilter{Reason: "scan_after_window", From: "2026-05-01T09:00", To: "2026-05-01T10:00"}
	got, err := f.parse("Asia/Shanghai")
	if err != nil || got.Reason != qrcircles.ReasonAfterWindow || !got.From.Equal(time.Date(2026, 5, 1, 1, 0, 0, 0, time.UTC)) {
		t.Fatalf("parse = %+v %v", got, err)
	}
	at := func(h, m int, reasons ...qrcircles.Reason) storage.JoinRequest {
		return storage.JoinRequest{ScanTime: time.Date(2026, 5, 1, h, m, 0, 0, time.UTC), Reasons: reasons}
	}
	cases := []struct {
		q    storage.JoinRequest
		want bool
	}{
		{at(1, 0, qrcircles.ReasonAfterWindow), true},
		{at(2, 0, qrcircles.ReasonAfterWindow), true}, // inclusive
		{at(2, 1, qrcircles.ReasonAfterWindow), false},
		{at(0, 59, qrcircles.ReasonAfterWindow), false},
		{at(1, 30, qrcircles.ReasonNotInRange), false},
	}
	for _, c := range cases {
		if got.Match(c.q) != c.want {
			t.Errorf("Match(%v %v) = %v", c.q.ScanTime, c.q.Reasons, !c.want)
		}
	}
	if _, err := (queueFilter{From: "yesterday"}).parse("UTC"); err == nil {
		t.Error("a bad time was accepted")
	}
	if q, _ := url.ParseQuery(f.query()); q.Get("reason") != f.Reason || q.Get("to") != f.To {
		t.Errorf("query = %q", f.query())
	}
	if !(circles.Filter{}).Match(at(3, 0)) {
		t.Error("an empty filter must pick every request")
	}
}

func TestCountReasons(t *testing.T) {
	qs := []storage.JoinRequest{
		{Reasons: []qrcircles.Reason{qrcircles.ReasonAfterWindow, qrcircles.ReasonNotInRange}},
		{Reasons: []qrcircles.Reason{qrcircles.ReasonNotInRange}},
	}
	got := countReasons(qs, "cap_reached")
	want := []reasonCount{{qrcircles.ReasonAfterWindow, 1, false}, {qrcircles.ReasonNotInRange, 2, false}, {qrcircles.ReasonCapReached, 0, true}}
	if len(got) != len(want) {
		t.Fatalf("counts %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("counts[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestViewFunnel(t *testing.T) {
	v := viewFunnel(storage.Funnel{Opened: 10, SignedIn: 8, Joined: 5, Waiting: 2, Refused: 1,
		Reasons: map[qrcircles.Reason]int64{qrcircles.ReasonCapReached: 2, qrcircles.ReasonExcluded: 1}})
	if len(v.Bars) != 5 || v.Bars[0].Width != funnelBarWidth || v.Bars[2].Width != funnelBarWidth/2 || v.Bars[4].Y != 4*funnelRow {
		t.Fatalf("bars %+v", v.Bars)
	}
	if len(v.Reasons) != 2 || v.Reasons[0].Code != qrcircles.ReasonCapReached || v.Reasons[1].Code != qrcircles.ReasonExcluded {
		t.Fatalf("reasons %+v", v.Reasons)
	}
	if empty := viewFunnel(storage.Funnel{}); empty.Bars[0].Width != 0 {
		t.Fatal("an empty funnel draws bars")
	}
}

// The proof of an on-site scan is good for its circle and scan time only.
func TestOnSiteProofTravels(t *testing.T) {
	gin.SetMode(gin.TestMode)
	pub, _ := url.Parse("http://qrc.example")
	w := &Web{TicketKey: []byte("ticket key, 32 bytes long......."), SlotKey: []byte("slot key"), Circles: &circles.Service{PublicURL: pub}}
	scan := time.Date(2026, 5, 1, 9, 0, 10, 0, time.UTC)
	circle := storage.Circle{ID: 7, Code: "abc"}
	circle.Rules.OnSite = "review"
	token := admission.SlotToken(w.SlotKey, "abc", admission.Slot(scan))

	landing := func(query string) string {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/c/abc"+query, nil)
		return w.onSiteProof(c, circle, scan)
	}
	proof := landing("?s=" + token)
	if proof == "" || landing("") != "" || landing("?s=forged") != "" {
		t.Fatal("the landing page must sign a current token, and nothing else")
	}
	if !strings.Contains(w.onSiteURL(circle, scan), "/c/abc?s="+token) {
		t.Fatalf("projector URL %q", w.onSiteURL(circle, scan))
	}

	joinWith := func(form string) *http.Cookie {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest("POST", "/c/abc/join", strings.NewReader(form))
		c.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w.keepOnSite(c, circle.ID, scan)
		for _, k := range rec.Result().Cookies() {
			if k.Name == onSiteCookie {
				return k
			}
		}
		return nil
	}
	if joinWith("onsite=forged") != nil {
		t.Fatal("a forged proof was kept")
	}
	cookie := joinWith("onsite=" + url.QueryEscape(proof))
	if cookie == nil {
		t.Fatal("the proof was not kept")
	}
	scanned := func(circleID int64, at time.Time) bool {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/auth/callback", nil)
		c.Request.AddCookie(cookie)
		return w.scannedOnSite(c, circleID, at)
	}
	if !scanned(7, scan) || scanned(8, scan) || scanned(7, scan.Add(time.Second)) {
		t.Fatal("the proof must hold for its circle and scan time only")
	}
}
