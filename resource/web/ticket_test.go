package web

import (
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
