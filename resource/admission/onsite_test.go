package admission

import (
	"testing"
	"time"

	"qrcircles"
)

// fakeClock is the injected clock of the slot tests: each case moves it, nothing sleeps.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time                     { return c.t }
func (c *fakeClock) advance(d time.Duration)            { c.t = c.t.Add(d) }
func (c *fakeClock) token(k []byte, code string) string { return SlotToken(k, code, Slot(c.now())) }

func TestSlotToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	const code = "circle-code-A"
	start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC) // a slot boundary

	tests := []struct {
		name      string
		shownAt   time.Duration // when the projector showed the code, after start
		scannedAt time.Duration // when the scan was made, after start
		key       []byte
		code      string // the circle the scan is checked for
		forge     func(string) string
		want      bool
	}{
		{"current, same instant", 0, 0, key, code, nil, true},
		{"current, end of its slot", 0, 29*time.Second + 999*time.Millisecond, key, code, nil, true},
		{"previous slot", 0, 30 * time.Second, key, code, nil, true},
		{"previous slot, its last instant", 0, 59*time.Second + 999*time.Millisecond, key, code, nil, true},
		{"expired: two slots old", 0, 60 * time.Second, key, code, nil, false},
		{"expired: an hour old", 0, time.Hour, key, code, nil, false},
		{"from the future", 30 * time.Second, 0, key, code, nil, false},
		{"forged: one character changed", 0, 0, key, code, func(s string) string { return flip(s) }, false},
		{"forged: made with another key", 0, 0, []byte("another key, not the server's....."), code, nil, false},
		{"other circle's token", 0, 0, key, "circle-code-B", nil, false},
		{"no token (a printed code)", 0, 0, key, code, func(string) string { return "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: start}
			clock.advance(tt.shownAt)
			token := clock.token(tt.key, tt.code)
			if tt.forge != nil {
				token = tt.forge(token)
			}
			clock = &fakeClock{t: start}
			clock.advance(tt.scannedAt)
			if got := ScannedOnSite(key, code, token, clock.now()); got != tt.want {
				t.Errorf("ScannedOnSite = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSlotTokenChangesEverySlot(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	clock := &fakeClock{t: time.Date(2026, 5, 1, 9, 0, 10, 0, time.UTC)}
	first := clock.token(key, "c")
	clock.advance(19 * time.Second)
	if clock.token(key, "c") != first {
		t.Fatal("token changed within its slot")
	}
	clock.advance(time.Second)
	if clock.token(key, "c") == first {
		t.Fatal("token did not change at the slot boundary")
	}
	if len(first) != 11 {
		t.Errorf("token %q: want 11 characters (64 bits)", first)
	}
}

func TestSlotBeforeEpoch(t *testing.T) {
	if Slot(time.Unix(-1, 0)) != -1 || Slot(time.Unix(-30, 0)) != -1 || Slot(time.Unix(-31, 0)) != -2 {
		t.Fatal("slots before 1970 must round down")
	}
	if !SlotStart(Slot(time.Unix(95, 0))).Equal(time.Unix(90, 0)) {
		t.Fatal("SlotStart")
	}
}

func TestDecideOnSite(t *testing.T) {
	reviewing := qrcircles.Rules{OnSite: qrcircles.OnSiteReview}
	refusing := qrcircles.Rules{OnSite: qrcircles.OnSiteRefuse}
	a := Applicant{UserID: 1, Phone: "+8613812345678"}
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		rules qrcircles.Rules
		state State
		want  qrcircles.Decision
	}{
		{"off: no proof needed", qrcircles.Rules{}, State{}, admit()},
		{"review, on site", reviewing, State{OnSite: true}, admit()},
		{"review, not on site", reviewing, State{}, queue(qrcircles.ReasonNotOnSite)},
		{"refuse, not on site", refusing, State{}, refuse(qrcircles.ReasonNotOnSite)},
		{"refuse, on site", refusing, State{OnSite: true}, admit()},
		{"open mode still checks", with(reviewing, qrcircles.ModeOpen), State{}, queue(qrcircles.ReasonNotOnSite)},
		{"open mode at cap, not on site", qrcircles.Rules{OnSite: qrcircles.OnSiteReview, Mode: qrcircles.ModeOpen, Cap: 1}, State{Members: 1}, queue(qrcircles.ReasonNotOnSite, qrcircles.ReasonCapReached)},
		{"review mode lists it", with(reviewing, qrcircles.ModeReview), State{}, queue(qrcircles.ReasonReview, qrcircles.ReasonNotOnSite)},
		{"excluded beats on-site refusal", refusing, State{Excluded: true}, refuse(qrcircles.ReasonExcluded)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.rules, a, now, tt.state)
			if got.Outcome != tt.want.Outcome || len(got.Reasons) != len(tt.want.Reasons) {
				t.Fatalf("Decide = %+v, want %+v", got, tt.want)
			}
			for i := range got.Reasons {
				if got.Reasons[i] != tt.want.Reasons[i] {
					t.Fatalf("Decide = %+v, want %+v", got, tt.want)
				}
			}
		})
	}
}

// flip changes the first character of a token to another one of the same alphabet.
func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}
