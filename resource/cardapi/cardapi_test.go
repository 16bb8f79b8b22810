package cardapi

import (
	"bytes"
	"encoding/csv"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/api"
	"qrcircles/resource/cards"
	"qrcircles/resource/cardsvc"
	"qrcircles/resource/circles"
	"qrcircles/resource/settingsvc"
)

func TestCardMountsBesideTheCirclesAPI(t *testing.T) {
	x := newHarness(t)
	e := gin.New()
	(&api.API{Circles: &circles.Service{Store: x.db}, Verifier: x.v}).Mount(e.Group("/api/v1")) // panics on a route conflict
	(&Handler{Cards: &cardsvc.Service{Store: x.db}, Privacy: &settingsvc.Service{Store: x.db}, Verifier: x.v}).Mount(e.Group("/api/v1"))
	_, tok := x.user("")
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/contacts.vcf", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	e.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != cards.MediaType {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}

func TestCardAuthAndScopes(t *testing.T) {
	x := newHarness(t)
	id, _ := x.user("")
	x.v.Set("read-only", qrcircles.Principal{Subject: "" + itoa(id), Scopes: []string{ScopeRead}})
	x.v.Set("client", qrcircles.Principal{Subject: "partner-app", Scopes: []string{ScopeRead, ScopeWrite}})
	x.problemField(x.do("", "GET", "/api/v1/me/card", nil), 401)
	x.problemField(x.do("bogus", "GET", "/api/v1/me/card", nil), 401)
	x.problemField(x.do("client", "GET", "/api/v1/contacts", nil), 403)
	x.problemField(x.do("read-only", "PUT", "/api/v1/me/card", map[string]any{"display_name": "x"}), 403)
	x.must(x.do("read-only", "GET", "/api/v1/contacts", nil), 200)
}

func TestPutCardValidatesEveryField(t *testing.T) {
	x := newHarness(t)
	org, _ := x.user("Org")
	a, tok := x.user("")
	c1, c2 := x.circle(org, a), x.circle(org, a)
	x.problemField(x.do(tok, "GET", "/api/v1/me/card", nil), 404)
	x.ev.Take()
	card := map[string]any{"display_name": " Li Lei ", "phones": []string{"138 0013 8000"}, "emails": []string{"li@example.com"}, "website": "https://li.example"}
	got := decode[cards.View](t, x.must(x.do(tok, "PUT", "/api/v1/me/card", card), 200))
	if got.DisplayName != "Li Lei" || got.Phones[0] != "+8613800138000" || got.UserID != a {
		t.Fatalf("%+v", got)
	}
	evs := x.ev.Take()
	if len(evs) != 2 || evs[0].Type != qrcircles.EventCardUpdated || evs[0].CircleID != c1 || evs[1].CircleID != c2 {
		t.Fatalf("events %+v: want card.updated to each circle", evs)
	}
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"display_name": ""}, "display_name"},
		{map[string]any{"display_name": "x", "phones": []string{"+8613800138000", "12"}}, "phones[1]"},
		{map[string]any{"display_name": "x", "emails": []string{"nope"}}, "emails[0]"},
		{map[string]any{"display_name": "x", "website": "ftp://x.example"}, "website"},
		{map[string]any{"display_name": "x", "note": strings.Repeat("n", cards.MaxNote+1)}, "note"},
		{map[string]any{"display_name": 5}, "display_name"},
		{map[string]any{"display_name": "x", "salary": "1"}, "salary"},
	}
	for _, b := range bad {
		if f := x.problemField(x.do(tok, "PUT", "/api/v1/me/card", b.body), 400); f != b.field {
			t.Errorf("%v: field %q, want %q", b.body, f, b.field)
		}
	}
	if got := decode[cards.View](t, x.must(x.do(tok, "GET", "/api/v1/me/card", nil), 200)); got.DisplayName != "Li Lei" {
		t.Fatalf("a refused card changed the stored one: %+v", got)
	}
}

func TestCardEventsCommitWithTheChange(t *testing.T) {
	x := newHarness(t)
	org, _ := x.user("Org")
	a, tok := x.user("Before")
	x.circle(org, a)
	x.ev.Fail = true
	x.must(x.do(tok, "PUT", "/api/v1/me/card", map[string]any{"display_name": "After"}), 500)
	x.ev.Fail = false
	if got := decode[cards.View](t, x.must(x.do(tok, "GET", "/api/v1/me/card", nil), 200)); got.DisplayName != "Before" {
		t.Fatalf("the change committed without its event: %+v", got)
	}
}

// memberCard finds one owner's card in a circle's list as the viewer gets it.
func (x *harness) memberCard(tok string, circleID, owner int64) cards.View {
	x.t.Helper()
	res := decode[struct{ Cards []cards.View }](x.t, x.must(x.do(tok, "GET", "/api/v1/circles/"+itoa(circleID)+"/members/cards", nil), 200))
	for _, v := range res.Cards {
		if v.UserID == owner {
			return v
		}
	}
	x.t.Fatalf("user %d not in circle %d", owner, circleID)
	return cards.View{}
}

func fullCard() map[string]any {
	return map[string]any{"display_name": "Ann", "title": "CEO", "company": "Acme", "phones": []string{"+8613800138001"},
		"emails": []string{"ann@acme.example"}, "address": "1 Road", "website": "https://acme.example", "note": "secret note"}
}

func TestVisibilityPerCircleAndTheOrganizerSeesWhatMembersSee(t *testing.T) {
	x := newHarness(t)
	org, orgTok := x.user("Org")
	a, aTok := x.user("")
	b, bTok := x.user("Bo")
	open, basic := x.circle(org, a, b), x.circle(org, a, b)
	x.must(x.do(aTok, "PUT", "/api/v1/me/card", fullCard()), 200)
	x.ev.Take()
	x.must(x.do(aTok, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{itoa(open): []string{"phones", "note"}}}), 200)
	if evs := x.ev.Take(); len(evs) != 1 || evs[0].CircleID != open || evs[0].Type != qrcircles.EventCardUpdated {
		t.Fatalf("events %+v", evs)
	}
	inOpen := x.memberCard(bTok, open, a)
	if inOpen.Phones[0] != "+8613800138001" || inOpen.Note != "secret note" || inOpen.Title != "" || inOpen.Company != "" || inOpen.Website != "" {
		t.Fatalf("in the circle showing phones and note: %+v", inOpen)
	}
	inBasic := x.memberCard(bTok, basic, a)
	if inBasic.Title != "CEO" || inBasic.Company != "Acme" || len(inBasic.Phones) != 0 || inBasic.Note != "" || len(inBasic.Emails) != 0 {
		t.Fatalf("in the basic circle: %+v", inBasic)
	}
	for _, c := range []int64{open, basic} {
		member, organizer := x.memberCard(bTok, c, a), x.memberCard(orgTok, c, a)
		if !slices.Equal(member.Phones, organizer.Phones) || member.Note != organizer.Note || member.Title != organizer.Title ||
			member.Company != organizer.Company || member.Address != organizer.Address || member.AvatarURL != organizer.AvatarURL {
			t.Fatalf("circle %d: organizer sees %+v, member sees %+v", c, organizer, member)
		}
	}
	if self := x.memberCard(aTok, basic, a); self.Note != "secret note" {
		t.Fatalf("the owner sees their whole card: %+v", self)
	}
	_, xTok := x.user("Stranger")
	x.problemField(x.do(xTok, "GET", "/api/v1/circles/"+itoa(open)+"/members/cards", nil), 403)
	if f := x.problemField(x.do(aTok, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{"999": []string{"all"}}}), 400); f != "circles.999" {
		t.Fatalf("field %q", f)
	}
	if f := x.problemField(x.do(aTok, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{itoa(open): []string{"salary"}}}), 400); f != "circles."+itoa(open) {
		t.Fatalf("field %q", f)
	}
	if f := x.problemField(x.do(aTok, "PUT", "/api/v1/me/visibility", map[string]any{"default": []string{"x"}}), 400); f != "default" {
		t.Fatalf("field %q", f)
	}
	_ = b
}

func TestCardDefaultAppliesToCirclesJoinedLater(t *testing.T) {
	x := newHarness(t)
	org, _ := x.user("Org")
	a, aTok := x.user("")
	b, bTok := x.user("Bo")
	early := x.circle(org, a, b)
	x.must(x.do(aTok, "PUT", "/api/v1/me/card", fullCard()), 200)
	x.must(x.do(aTok, "PUT", "/api/v1/me/visibility", map[string]any{"default": []string{"all"}}), 200)
	late := x.circle(org, a, b)
	if v := x.memberCard(bTok, early, a); v.Note != "" || v.Title != "CEO" {
		t.Fatalf("the circle joined before still shows the old default: %+v", v)
	}
	if v := x.memberCard(bTok, late, a); v.Note != "secret note" {
		t.Fatalf("the circle joined later shows the new default: %+v", v)
	}
	vis := decode[visibilityJSON](t, x.must(x.do(aTok, "GET", "/api/v1/me/visibility", nil), 200))
	if len(vis.Circles) != 2 || !slices.Contains(vis.Default, "note") {
		t.Fatalf("%+v", vis)
	}
}

func TestStrangerRulesAndContacts(t *testing.T) {
	x := newHarness(t)
	org, _ := x.user("Org")
	a, aTok := x.user("")
	b, bTok := x.user("Bo")
	c, cTok := x.user("Cy")
	_, loneTok := x.user("Lone")
	x.circle(org, a, b, c)
	x.must(x.do(aTok, "PUT", "/api/v1/me/card", fullCard()), 200)
	x.must(x.do(bTok, "PUT", "/api/v1/me/privacy", map[string]any{"refuse_stranger_cards": true}), 200)
	x.ev.Take()

	res := decode[struct {
		Status  string
		Request requestJSON
	}](t, x.must(x.do(aTok, "POST", "/api/v1/users/"+itoa(b)+"/card/deliver", nil), 202))
	if res.Status != "waiting" || res.Request.Kind != "deliver" {
		t.Fatalf("%+v", res)
	}
	if evs := x.ev.Take(); len(evs) != 1 || evs[0].Type != qrcircles.EventCardRequested || evs[0].RecipientID != b {
		t.Fatalf("events %+v", evs)
	}
	if got := decode[struct{ Contacts []cards.View }](t, x.must(x.do(bTok, "GET", "/api/v1/contacts", nil), 200)); len(got.Contacts) != 0 {
		t.Fatalf("a refused stranger's card arrived: %+v", got)
	}
	reqs := decode[struct{ Incoming []requestJSON }](t, x.must(x.do(bTok, "GET", "/api/v1/me/card-requests", nil), 200))
	if len(reqs.Incoming) != 1 || reqs.Incoming[0].FromID != a {
		t.Fatalf("%+v", reqs)
	}
	rid := itoa(reqs.Incoming[0].ID)
	x.problemField(x.do(aTok, "POST", "/api/v1/me/card-requests/"+rid+"/accept", nil), 404)
	x.must(x.do(bTok, "POST", "/api/v1/me/card-requests/"+rid+"/accept", nil), 200)
	x.problemField(x.do(bTok, "POST", "/api/v1/me/card-requests/"+rid+"/decline", nil), 409)
	got := decode[struct{ Contacts []cards.View }](t, x.must(x.do(bTok, "GET", "/api/v1/contacts", nil), 200))
	if len(got.Contacts) != 1 || got.Contacts[0].Note != "secret note" {
		t.Fatalf("accepting gives the full card: %+v", got)
	}
	// Now a contact, a is no stranger: the next delivery arrives at once.
	x.must(x.do(aTok, "POST", "/api/v1/users/"+itoa(b)+"/card/deliver", nil), 200)

	x.must(x.do(cTok, "POST", "/api/v1/users/"+itoa(b)+"/card/deliver", nil), 202)
	reqs = decode[struct{ Incoming []requestJSON }](t, x.must(x.do(bTok, "GET", "/api/v1/me/card-requests", nil), 200))
	x.must(x.do(bTok, "POST", "/api/v1/me/card-requests/"+itoa(reqs.Incoming[0].ID)+"/decline", nil), 200)
	x.problemField(x.do(bTok, "GET", "/api/v1/contacts/"+itoa(c), nil), 404)

	// Requests: a asks c, c accepts, a holds c's card.
	x.must(x.do(aTok, "POST", "/api/v1/users/"+itoa(c)+"/card/request", nil), 202)
	reqs = decode[struct{ Incoming []requestJSON }](t, x.must(x.do(cTok, "GET", "/api/v1/me/card-requests", nil), 200))
	x.must(x.do(cTok, "POST", "/api/v1/me/card-requests/"+itoa(reqs.Incoming[0].ID)+"/accept", nil), 200)
	if v := decode[cards.View](t, x.must(x.do(aTok, "GET", "/api/v1/contacts/"+itoa(c), nil), 200)); v.DisplayName != "Cy" {
		t.Fatalf("%+v", v)
	}
	x.problemField(x.do(aTok, "POST", "/api/v1/users/"+itoa(c)+"/card/request", nil), 409)

	// Only between people who share a circle; never with oneself.
	x.problemField(x.do(loneTok, "POST", "/api/v1/users/"+itoa(a)+"/card/deliver", nil), 403)
	x.problemField(x.do(loneTok, "POST", "/api/v1/users/"+itoa(a)+"/card/request", nil), 403)
	if f := x.problemField(x.do(aTok, "POST", "/api/v1/users/"+itoa(a)+"/card/deliver", nil), 400); f != "uid" {
		t.Fatalf("field %q", f)
	}

	x.must(x.do(bTok, "DELETE", "/api/v1/contacts/"+itoa(a), nil), 204)
	x.problemField(x.do(bTok, "DELETE", "/api/v1/contacts/"+itoa(a), nil), 404)
	x.problemField(x.do(bTok, "GET", "/api/v1/contacts/"+itoa(a)+".vcf", nil), 404)
}

func TestCardExports(t *testing.T) {
	x := newHarness(t)
	org, orgTok := x.user("Org")
	a, aTok := x.user("")
	b, bTok := x.user("Bo")
	circle := x.circle(org, a, b)
	x.must(x.do(aTok, "PUT", "/api/v1/me/card", fullCard()), 200)
	x.must(x.do(aTok, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{itoa(circle): []string{"emails"}}}), 200)

	vcf := x.must(x.do(bTok, "GET", "/api/v1/circles/"+itoa(circle)+"/members.vcf", nil), 200)
	if err := contains(vcf.Body.String(), "VERSION:4.0\r\n", "FN:Ann\r\n", "EMAIL:ann@acme.example\r\n", "FN:Bo\r\n"); err != nil {
		t.Fatal(err)
	}
	if s := vcf.Body.String(); strings.Contains(s, "secret note") || strings.Contains(s, "CEO") || strings.Contains(s, "TEL") {
		t.Fatalf("hidden fields exported:\n%s", s)
	}
	v3 := x.must(x.do(bTok, "GET", "/api/v1/circles/"+itoa(circle)+"/members.vcf?version=3.0", nil), 200)
	if err := contains(v3.Body.String(), "VERSION:3.0\r\n", "N:Ann;;;;\r\n", "EMAIL;TYPE=INTERNET:ann@acme.example\r\n"); err != nil {
		t.Fatal(err)
	}
	if f := x.problemField(x.do(bTok, "GET", "/api/v1/circles/"+itoa(circle)+"/members.vcf?version=2.1", nil), 400); f != "version" {
		t.Fatalf("field %q", f)
	}

	x.problemField(x.do(bTok, "GET", "/api/v1/circles/"+itoa(circle)+"/members.csv", nil), 403)
	csvRec := x.must(x.do(orgTok, "GET", "/api/v1/circles/"+itoa(circle)+"/members.csv", nil), 200)
	rows, err := csv.NewReader(csvRec.Body).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%q %v", rows, err)
	}
	if rows[1][1] != "Ann" || rows[1][2] != "" || rows[1][5] != "ann@acme.example" || rows[1][8] != "" {
		t.Fatalf("organizer's CSV shows more or less than a member sees: %q", rows[1])
	}

	// Contacts get the full card, as it is now.
	x.must(x.do(aTok, "POST", "/api/v1/users/"+itoa(b)+"/card/deliver", nil), 200)
	x.must(x.do(aTok, "PUT", "/api/v1/me/card", map[string]any{"display_name": "Ann", "title": "Chair", "note": "new note"}), 200)
	one := x.must(x.do(bTok, "GET", "/api/v1/contacts/"+itoa(a)+".vcf", nil), 200)
	if err := contains(one.Body.String(), "TITLE:Chair\r\n", "NOTE:new note\r\n", "UID:"+cards.UserUID(a)); err != nil {
		t.Fatal(err)
	}
	all := x.must(x.do(bTok, "GET", "/api/v1/contacts.vcf?version=3.0", nil), 200)
	if err := contains(all.Body.String(), "VERSION:3.0", "TITLE:Chair"); err != nil || all.Header().Get("Content-Type") != cards.MediaType {
		t.Fatal(err, all.Header())
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 9, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCardAvatar(t *testing.T) {
	x := newHarness(t)
	org, _ := x.user("Org")
	a, aTok := x.user("Ann")
	b, bTok := x.user("Bo")
	shows, hides := x.circle(org, a, b), x.circle(org, a, b)
	x.must(x.do(aTok, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{itoa(shows): []string{"avatar"}}}), 200)

	if f := x.problemField(x.do(aTok, "PUT", "/api/v1/me/card/avatar", []byte("not an image at all")), 400); f != "avatar" {
		t.Fatalf("field %q", f)
	}
	huge := append(pngBytes(t, 4, 4), make([]byte, cards.MaxAvatarBytes)...)
	if f := x.problemField(x.do(aTok, "PUT", "/api/v1/me/card/avatar", huge), 400); f != "avatar" {
		t.Fatalf("field %q", f)
	}
	x.must(x.do(aTok, "PUT", "/api/v1/me/card/avatar", pngBytes(t, 1000, 500)), 200)

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("avatar", "me.png")
	fw.Write(pngBytes(t, 800, 800))
	mw.Close()
	req := httptest.NewRequest("PUT", "/api/v1/me/card/avatar", &form)
	req.Header.Set("Authorization", "Bearer "+aTok)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	x.engine.ServeHTTP(rec, req)
	x.must(rec, 200)

	v := x.memberCard(bTok, shows, a)
	if v.AvatarURL != "/api/v1/users/"+itoa(a)+"/avatar?circle="+itoa(shows) {
		t.Fatalf("avatar url %q", v.AvatarURL)
	}
	got := x.must(x.do(bTok, "GET", v.AvatarURL, nil), 200)
	cfg, _, err := image.DecodeConfig(got.Body)
	if err != nil || cfg.Width != 512 || cfg.Height != 512 {
		t.Fatalf("stored %dx%d %v", cfg.Width, cfg.Height, err)
	}
	if v := x.memberCard(bTok, hides, a); v.AvatarURL != "" {
		t.Fatalf("hidden avatar shown: %+v", v)
	}
	x.problemField(x.do(bTok, "GET", "/api/v1/users/"+itoa(a)+"/avatar?circle="+itoa(hides), nil), 404)
	x.problemField(x.do(bTok, "GET", "/api/v1/users/"+itoa(a)+"/avatar", nil), 404)
	x.must(x.do(aTok, "GET", "/api/v1/users/"+itoa(a)+"/avatar", nil), 200)
	if f := x.problemField(x.do(bTok, "GET", "/api/v1/users/"+itoa(a)+"/avatar?circle=x", nil), 400); f != "circle" {
		t.Fatalf("field %q", f)
	}
}

// TestCSVExportHasNoLiveFormula: the organizer's export shows every cell as text, whatever
// members wrote on their cards: formulas, and numbers a spreadsheet reads as formulas too.
func TestCSVExportHasNoLiveFormula(t *testing.T) {
	x := newHarness(t)
	org, orgTok := x.user("Org")
	a, aTok := x.user("")
	b, bTok := x.user("")
	circle := x.circle(org, a, b)
	x.must(x.do(aTok, "PUT", "/api/v1/me/card", map[string]any{"display_name": "+1+1", "title": "-2", "company": "@SUM(A1:A9)",
		"phones": []string{"+8613800138001"}, "note": "=HYPERLINK(\"https://evil.example\")", "website": "https://acme.example"}), 200)
	x.must(x.do(aTok, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{itoa(circle): []string{"all"}}}), 200)
	x.must(x.do(bTok, "PUT", "/api/v1/me/card", map[string]any{"display_name": "-1", "address": "=1+1\nsecond line"}), 200)
	x.must(x.do(bTok, "PUT", "/api/v1/me/visibility", map[string]any{"circles": map[string]any{itoa(circle): []string{"all"}}}), 200)

	rec := x.must(x.do(orgTok, "GET", "/api/v1/circles/"+itoa(circle)+"/members.csv", nil), 200)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%q %v", rows, err)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) { // OWASP's formula starts
				t.Errorf("live cell %q in %q", cell, row)
			}
		}
	}
	want := map[string]bool{"'+1+1": true, "'-2": true, "'@SUM(A1:A9)": true, "'+8613800138001": true,
		`'=HYPERLINK("https://evil.example")`: true, "'-1": true, "'=1+1\nsecond line": true, "https://acme.example": true}
	for _, row := range rows[1:] {
		for _, cell := range row {
			delete(want, cell)
		}
	}
	if len(want) > 0 {
		t.Fatalf("cells missing from the export (hidden, or changed otherwise): %v\n%q", want, rows)
	}
}
