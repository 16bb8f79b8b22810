package push

import (
	"net"
	"testing"
)

// TestHeartbeatsAreSpread: one tick beats one slot's share of the detached streams, and a
// whole period beats each stream once.
func TestHeartbeatsAreSpread(t *testing.T) {
	h := New(Options{})
	const n = 3 * heartbeatSlots
	subs := make([]*Subscription, n)
	for i := range subs {
		subs[i] = h.Subscribe(int64(i+1), nil)
		server, client := net.Pipe()
		t.Cleanup(func() { server.Close(); client.Close() })
		h.attach(subs[i], server, 0)
	}
	beats := map[*Subscription]int{}
	for slot := range heartbeatSlots {
		h.heartbeat(slot)
		due := 0
		for _, s := range subs {
			if s.beat {
				due++
				beats[s]++
				s.beat = false
			}
		}
		if due != n/heartbeatSlots {
			t.Fatalf("slot %d: %d streams beat at once, want %d", slot, due, n/heartbeatSlots)
		}
	}
	for i, s := range subs {
		if beats[s] != 1 {
			t.Errorf("stream %d beat %d times in a period, want once", i, beats[s])
		}
	}
}
