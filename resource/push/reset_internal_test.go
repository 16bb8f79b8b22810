package push

import (
	"testing"

	"qrcircles/storage"
)

func TestResetReason(t *testing.T) {
	for _, tc := range []struct {
		name string
		last int64
		b    storage.EventBounds
		want string
	}{
		{"fresh log, from 0", 0, storage.EventBounds{Oldest: 1, Newest: 5}, ""},
		{"empty fresh log, from 0", 0, storage.EventBounds{Oldest: 1, Newest: 0}, ""},
		{"nothing deleted, a gap before the oldest", 0, storage.EventBounds{Oldest: 3, Newest: 5}, ""},
		{"from 0 after a cleanup", 0, storage.EventBounds{Oldest: 11, Newest: 20, Pruned: 10}, ResetHistoryExpired},
		{"from below the pruned", 9, storage.EventBounds{Oldest: 11, Newest: 20, Pruned: 10}, ResetHistoryExpired},
		{"from the pruned: the oldest kept is next", 10, storage.EventBounds{Oldest: 11, Newest: 20, Pruned: 10}, ""},
		{"from the pruned, a rolled-back gap after it", 10, storage.EventBounds{Oldest: 13, Newest: 20, Pruned: 10}, ""},
		{"pruned out of order: 12 kept, 13 gone", 12, storage.EventBounds{Oldest: 12, Newest: 20, Pruned: 13}, ResetHistoryExpired},
		{"from the newest", 20, storage.EventBounds{Oldest: 11, Newest: 20, Pruned: 10}, ""},
		{"above the newest", 21, storage.EventBounds{Oldest: 11, Newest: 20, Pruned: 10}, ResetUnknownID},
		{"all expired, from the last", 20, storage.EventBounds{Oldest: 21, Newest: 20, Pruned: 20}, ""},
		{"all expired, from before the last", 19, storage.EventBounds{Oldest: 21, Newest: 20, Pruned: 20}, ResetHistoryExpired},
		{"database reset", 500, storage.EventBounds{Oldest: 1, Newest: 7}, ResetUnknownID},
	} {
		if got := resetReason(tc.last, tc.b); got != tc.want {
			t.Errorf("%s: resetReason(%d, %+v) = %q, want %q", tc.name, tc.last, tc.b, got, tc.want)
		}
	}
}
