package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"qrcircles/authz"
	"qrcircles/storage/storagetest"
)

// TestPagesAndEventsDuringADatabaseOutage: while PostgreSQL is unreachable, the circle pages
// of a signed-in person, the scan landing page and the event stream (cookie or token) answer
// 503 with Retry-After and "try again" — never the sign-in page, "no such circle" or
// "not active" — and everything works again once the database is back, with no restart.
func TestPagesAndEventsDuringADatabaseOutage(t *testing.T) {
	s := &site{t: t, sms: &smsLog{codes: map[string]string{}}}
	db, outage := storagetest.PostgresWithOutage(t)
	s.db = db
	s.app, s.base = serveApp(t, s.db, slog.New(s.sms))
	b, circle := s.organizer("+8613800000777", circleForm("Outage"))
	partner, _, err := s.app.authz.Clients().Create(context.Background(), authz.ClientSpec{Name: "App", Public: true,
		RedirectURIs: []string{"http://127.0.0.1/cb"}, Scopes: []string{"circles:read"}, Grants: []string{authz.GrantAuthorizationCode}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, app: s.app, db: s.db, base: s.base, partner: partner.ID}
	token := w.person("+8613800000778", "Token Holder").token

	pages := []string{"/me/circles", fmt.Sprintf("/circles/%d", circle.ID), "/c/" + circle.Code}
	events := func(withCookie bool) *http.Request {
		req, _ := http.NewRequest("GET", s.base+"/api/v1/events", nil)
		if !withCookie {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req
	}
	for _, p := range pages {
		if got := b.get(p); got.status != 200 || got.path != p {
			t.Fatalf("%s before the outage: %d at %s", p, got.status, got.path)
		}
	}

	outage.Cut()
	for _, p := range pages {
		for _, lang := range []string{"en", "zh-CN"} {
			req, _ := http.NewRequest("GET", s.base+p, nil)
			req.Header.Set("Accept-Language", lang)
			got := b.do(req)
			want := map[string]string{"en": "Please try again in a moment.", "zh-CN": "请稍后重试"}[lang]
			if got.status != 503 || got.path != p || got.header.Get("Retry-After") != "5" || !strings.Contains(got.body, want) {
				t.Errorf("%s (%s) during the outage: %d at %s, Retry-After %q:\n%s", p, lang, got.status, got.path, got.header.Get("Retry-After"), got.body)
			}
		}
	}
	for _, withCookie := range []bool{true, false} {
		res, err := b.client.Do(events(withCookie))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 503 || res.Header.Get("Retry-After") != "5" || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("event stream (cookie %v) during the outage: %d %v", withCookie, res.StatusCode, res.Header)
		}
	}

	outage.Restore(t)
	for _, p := range pages {
		if got := b.get(p); got.status != 200 || got.path != p {
			t.Fatalf("%s after the outage: %d at %s", p, got.status, got.path)
		}
	}
}
