package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestStatusPageWithoutARequestSaysHowToAsk: the status page of a circle the person never
// asked to join is the friendly not-found page, also when they wait in another circle; once
// they ask, it shows their request.
func TestStatusPageWithoutARequestSaysHowToAsk(t *testing.T) {
	s := newSite(t)
	_, circle := s.organizer("+8613700000000", circleForm("Expo", "mode", "review"))
	_, other := s.organizer("+8613700000001", circleForm("Gala", "mode", "review"))
	status := fmt.Sprintf("/circles/%d/status", circle.ID)
	b := s.browser()
	never := func(what string) {
		t.Helper()
		p := b.get(status)
		if p.status != 404 || !strings.Contains(p.body, "You have not asked to join this circle. Scan its QR code to ask.") {
			t.Fatalf("%s: %s (%d)\n%s", what, p.path, p.status, p.body)
		}
	}
	if p := b.signIn(b.get(status), "+8613800000001", "Ann"); p.path != status {
		t.Fatalf("signed in at %s", p.path)
	}
	never("before asking")
	if p := b.scan(other); p.path != fmt.Sprintf("/circles/%d/status", other.ID) || !strings.Contains(p.body, `id="request-state"`) {
		t.Fatalf("waiting in the other circle: %s (%d)\n%s", p.path, p.status, p.body)
	}
	never("waiting in another circle")
	if p := b.scan(circle); p.path != status || p.status != 200 || !strings.Contains(p.body, "<h1>Expo</h1>") ||
		!strings.Contains(p.body, "Waiting for the organizer") {
		t.Fatalf("after asking: %s (%d)\n%s", p.path, p.status, p.body)
	}
}
