package otp

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestChallengeUsable(t *testing.T) {
	p := DefaultPolicy(0)
	fresh, err := NewChallenge("+8613800138000", "console", p, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !fresh.ExpiresAt.Equal(at(5 * time.Minute)) {
		t.Fatalf("ExpiresAt = %v, want 5 min after creation", fresh.ExpiresAt)
	}
	with := func(f func(*Challenge)) Challenge { c := fresh; f(&c); return c }
	for _, tc := range []struct {
		name string
		c    Challenge
		now  time.Time
		want error
	}{
		{"fresh", fresh, at(0), nil},
		{"last instant before expiry", fresh, at(5*time.Minute - time.Nanosecond), nil},
		{"expired at exactly 5 min", fresh, at(5 * time.Minute), ErrExpired},
		{"4 wrong tries survive", with(func(c *Challenge) { c.WrongTries = 4 }), at(0), nil},
		{"the 5th wrong try kills", with(func(c *Challenge) { c.WrongTries = 5 }), at(0), ErrDead},
		{"used once is used", with(func(c *Challenge) { c.UsedAt = at(time.Second) }), at(2 * time.Second), ErrUsed},
		{"used wins over expired", with(func(c *Challenge) { c.UsedAt = at(time.Second) }), at(time.Hour), ErrUsed},
		{"dead wins over expired", with(func(c *Challenge) { c.WrongTries = 5 }), at(time.Hour), ErrDead},
	} {
		if got := p.Usable(tc.c, tc.now); !errors.Is(got, tc.want) || (tc.want == nil && got != nil) {
			t.Errorf("%s: Usable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTriesLeft(t *testing.T) {
	for _, tc := range []struct{ wrong, want int }{{0, 5}, {4, 1}, {5, 0}, {7, 0}} {
		if got := (Policy{MaxWrongTries: 5}).TriesLeft(Challenge{WrongTries: tc.wrong}); got != tc.want {
			t.Errorf("TriesLeft after %d wrong = %d, want %d", tc.wrong, got, tc.want)
		}
	}
}

func TestNewChallengeIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		c, err := NewChallenge("+1", "console", DefaultPolicy(0), t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.ID) != 22 || seen[c.ID] {
			t.Fatalf("challenge ID %q: wrong length or repeated", c.ID)
		}
		seen[c.ID] = true
	}
}

// TestNewCodeIsUniform counts each digit at each position over many codes. With 20 000 codes a
// count is 2 000 ± 42 (one standard deviation); the bounds are more than 7 deviations away, so
// only a biased or mis-padded generator fails.
func TestNewCodeIsUniform(t *testing.T) {
	const n = 20_000
	var counts [CodeLength][10]int
	for range n {
		code, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != CodeLength {
			t.Fatalf("code %q is not %d digits", code, CodeLength)
		}
		for i, r := range code {
			if r < '0' || r > '9' {
				t.Fatalf("code %q has a non-digit", code)
			}
			counts[i][r-'0']++
		}
	}
	for pos, digits := range counts {
		for d, c := range digits {
			if c < 1700 || c > 2300 {
				t.Errorf("digit %d at position %d appeared %d times in %d codes", d, pos, c, n)
			}
		}
	}
}

func TestHashCode(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	base := HashCode(secret, "id1", "123456")
	if len(base) != 32 {
		t.Fatalf("hash is %d bytes, want 32", len(base))
	}
	for _, tc := range []struct {
		name           string
		secret         []byte
		id, code       string
		wantSameAsBase bool
	}{
		{"same inputs", secret, "id1", "123456", true},
		{"other code", secret, "id1", "123457", false},
		{"other challenge", secret, "id2", "123456", false},
		{"other secret", []byte("another secret of thirty-two by"), "id1", "123456", false},
		{"boundary between id and code is kept", secret, "id11", "23456", false},
	} {
		if got := bytes.Equal(HashCode(tc.secret, tc.id, tc.code), base); got != tc.wantSameAsBase {
			t.Errorf("%s: equal to base = %v", tc.name, got)
		}
	}
}

func TestCodeMatches(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	c := Challenge{ID: "id1", CodeHash: HashCode(secret, "id1", "012345")}
	for _, tc := range []struct {
		name string
		c    Challenge
		code string
		want bool
	}{
		{"right code", c, "012345", true},
		{"wrong code", c, "012346", false},
		{"leading zero dropped", c, "12345", false},
		{"empty code", c, "", false},
		{"no hash stored", Challenge{ID: "id1"}, "012345", false},
	} {
		if got := CodeMatches(secret, tc.c, tc.code); got != tc.want {
			t.Errorf("%s: CodeMatches = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"012345", "012345", true},
		{" 123 456 ", "123456", true},
		{"123-456", "123456", true},
		{"１２３４５６", "123456", true},
		{"12345", "12345", false},
		{"1234567", "1234567", false},
		{"12345a", "", false},
		{"", "", false},
	} {
		got, ok := ParseCode(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseCode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
