package web

import (
	"strings"
	"testing"
	"time"
)

func TestTicket(t *testing.T) {
	key, other := []byte("0123456789abcdef0123456789abcdef"), []byte("another key, 32 bytes long......")
	scan := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	good := ticket(key, 7, scan)
	cases := []struct {
		name   string
		key    []byte
		circle int64
		ticket string
		now    time.Time
		ok     bool
	}{
		{"fresh", key, 7, good, scan.Add(time.Second), true},
		{"at the limit", key, 7, good, scan.Add(ticketLifespan), true},
		{"too old", key, 7, good, scan.Add(ticketLifespan + time.Second), false},
		{"from the future", key, 7, good, scan.Add(-2 * time.Minute), false},
		{"other circle", key, 8, good, scan, false},
		{"other key", other, 7, good, scan, false},
		{"time moved", key, 7, "1777626001" + good[10:], scan, false},
		{"no mac", key, 7, "1777626000", scan, false},
		{"empty", key, 7, "", scan, false},
		{"garbage", key, 7, "x.y", scan, false},
	}
	for _, c := range cases {
		got, err := checkTicket(c.key, c.circle, c.ticket, c.now)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.name, err, c.ok)
		}
		if c.ok && !got.Equal(scan) {
			t.Errorf("%s: scan time %v, want %v", c.name, got, scan)
		}
	}
}

func TestReturnProof(t *testing.T) {
	key, other := []byte("0123456789abcdef0123456789abcdef"), []byte("another key, 32 bytes long......")
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	path := "/embed/done?circle=AbC&client_id=c_1&origin=https%3A%2F%2Fp.example"
	good := signReturn(key, 42, path, now)
	cases := []struct {
		name string
		key  []byte
		user int64
		uri  string
		now  time.Time
		ok   bool
	}{
		{"fresh", key, 42, good, now, true},
		{"at the limit", key, 42, good, now.Add(returnLifespan), true},
		{"too old", key, 42, good, now.Add(returnLifespan + time.Second), false},
		{"another person", key, 43, good, now, false},
		{"other key", other, 42, good, now, false},
		{"origin changed", key, 42, strings.Replace(good, "p.example", "q.example", 1), now, false},
		{"circle changed", key, 42, strings.Replace(good, "AbC", "XyZ", 1), now, false},
		{"no proof", key, 42, path, now, false},
		{"proof only", key, 42, good[strings.Index(good, "proof="):], now, false},
	}
	for _, c := range cases {
		if err := checkReturn(c.key, c.user, c.uri, c.now); (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.name, err, c.ok)
		}
	}
	if p := signReturn(key, 42, "/x", now); !strings.HasPrefix(p, "/x?proof=") || checkReturn(key, 42, p, now) != nil {
		t.Errorf("a path without a query: %s", p)
	}
}
