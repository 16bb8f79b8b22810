package main

import (
	"context"
	"strings"
	"testing"

	"qrcircles/storage/storagetest"
)

// Face-to-face exchange through the API: what a personal QR code holds and who may use it.
func TestFaceToFaceExchangeThroughTheAPI(t *testing.T) {
	w := newWorld(t, storagetest.Postgres(t))
	ctx := context.Background()
	ann, bo := w.person("+8613800000051", "Ann"), w.person("+8613800000052", "Bo")
	ann.putCard("Engineer")
	bo.putCard("Designer")
	var code struct{ URL, SVG string }
	w.must(200, ann.token, "GET", "/api/v1/me/card/code", nil, &code)
	if !strings.HasPrefix(code.URL, w.base+"/u/") || !strings.HasPrefix(code.SVG, "<svg") {
		t.Fatalf("personal code %q", code.URL)
	}
	var problem struct{ Type string }
	w.must(400, ann.token, "POST", "/api/v1/cards/exchange", map[string]string{"code": code.URL}, &problem) // her own
	w.must(400, bo.token, "POST", "/api/v1/cards/exchange", map[string]string{"code": code.URL + "x"}, &problem)
	var out struct {
		Status  string
		Contact struct {
			UserID      int64  `json:"user_id"`
			DisplayName string `json:"display_name"`
			Title       string
		}
	}
	w.must(200, bo.token, "POST", "/api/v1/cards/exchange", map[string]string{"code": strings.TrimPrefix(code.URL, w.base+"/u/")}, &out)
	if out.Status != "exchanged" || out.Contact.UserID != ann.user.ID || out.Contact.Title != "Engineer" {
		t.Fatalf("exchange: %+v", out)
	}
	for _, pair := range [][2]*person{{ann, bo}, {bo, ann}} {
		if has, err := w.db.HoldsContact(ctx, pair[0].user.ID, pair[1].user.ID); err != nil || !has {
			t.Fatalf("%s does not hold %s's card (%v)", pair[0].user.DisplayName, pair[1].user.DisplayName, err)
		}
	}
	// Scanning again changes nothing.
	w.must(200, bo.token, "POST", "/api/v1/cards/exchange", map[string]string{"code": code.URL}, &out)
}
