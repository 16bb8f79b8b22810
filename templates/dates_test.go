package templates

import (
	"testing"
	"time"
)

func TestClockLeavesTheZoneToThePage(t *testing.T) {
	at := time.Date(2026, 5, 1, 11, 30, 0, 0, time.UTC) // 19:30 in Shanghai, a Friday
	for lang, want := range map[string]string{English: "Fri 1 May 2026 19:30", Chinese: "2026年5月1日 周五 19:30"} {
		if got := Say(lang, Clock(at, "Asia/Shanghai")); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := Say(Chinese, At(at, "Asia/Shanghai")); got != "2026年5月1日 周五 19:30 (北京时间)" {
		t.Errorf("At names the zone: %q", got)
	}
	if !Clock(time.Time{}, "UTC").Zero() {
		t.Error("a zero time shows")
	}
}
