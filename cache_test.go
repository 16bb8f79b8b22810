package qrcircles

import (
	"errors"
	"testing"
	"time"
)

func TestTTLCacheKeepsValuesForTheirTime(t *testing.T) {
	var c TTLCache[int64, string]
	t0 := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	loads := 0
	load := func(v string, err error) func() (string, error) {
		return func() (string, error) { loads++; return v, err }
	}
	steps := []struct {
		name      string
		at        time.Duration
		load      func() (string, error)
		want      string
		wantErr   bool
		wantLoads int
	}{
		{"first read loads", 0, load("a", nil), "a", false, 1},
		{"fresh: kept", 1999 * time.Millisecond, load("b", nil), "a", false, 1},
		{"expired: loads again", 2 * time.Second, load("c", nil), "c", false, 2},
		{"a failed load is not kept", 5 * time.Second, load("", errors.New("down")), "", true, 3},
		{"after a failure: loads again", 5 * time.Second, load("d", nil), "d", false, 4},
	}
	for _, s := range steps {
		got, err := c.Fetch(7, t0.Add(s.at), 2*time.Second, s.load)
		if got != s.want || (err != nil) != s.wantErr || loads != s.wantLoads {
			t.Fatalf("%s: %q, %v, %d loads", s.name, got, err, loads)
		}
	}
	if _, ok := c.Get(8, t0); ok {
		t.Fatal("a key never put is kept")
	}
}
