package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/resource/cards"
	"qrcircles/storage"
)

// A person takes their data out, then deletes their account: afterwards no page, export or
// API answer shows them, their tokens and sign-ins are dead, the messages they sent stay with
// the recipient from a user with no name, and the audit log keeps only their user ID.
func TestAccountExportAndDelete(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	org, c := s.organizer("+8613700000000", circleForm("Expo", "mode", "open"))
	circle := "/circles/" + strconv.FormatInt(c.ID, 10)
	ann, bob := s.browser(), s.browser()
	ann.signIn(ann.scan(c), "+8613800000001", "Ann Lee")
	bob.signIn(bob.scan(c), "+8613800000002", "Bo Wu")
	annID, bobID := s.user("+8613800000001", "Ann Lee").ID, s.user("+8613800000002", "Bo Wu").ID
	if _, err := s.app.cards.SaveCard(ctx, annID, cards.Card{DisplayName: "Ann Lee", Title: "Annalist", Phones: []string{"+8613800000001"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.app.cards.DeliverCard(ctx, annID, bobID); err != nil {
		t.Fatal(err)
	}
	if err := s.db.SendMessage(ctx, &storage.Message{FromID: annID, ToID: bobID, Body: "See you at the booth", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	annToken, bobToken := s.token(t, annID), s.token(t, bobID)
	if code := s.api(t, annToken, "/api/v1/me/card", nil); code != 200 {
		t.Fatalf("Ann's token before: %d", code)
	}
	for _, p := range []page{bob.get(circle), org.get(circle + "/members.vcf")} {
		if !strings.Contains(p.body, "Ann Lee") {
			t.Fatalf("before the deletion %s does not show Ann: %s", p.path, p.body)
		}
	}

	// The export holds her account, card, circle, contacts' requests and messages.
	p := ann.get("/account/export.json")
	var x map[string]any
	if err := json.Unmarshal([]byte(p.body), &x); err != nil || p.status != 200 {
		t.Fatalf("export: %d %v %s", p.status, err, p.body)
	}
	for _, want := range []string{"+8613800000001", "Annalist", "Expo", "See you at the booth", `"consents"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the JSON export lacks %q", want)
		}
	}
	if cd := p.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("export Content-Disposition %q", cd)
	}
	if v := ann.get("/account/export.vcf"); v.status != 200 || !strings.Contains(v.body, "FN:Ann Lee") || !strings.Contains(v.body, "+8613800000001") {
		t.Errorf("vCard export: %d %s", v.status, v.body)
	}
	// Bo saved no card: his export still holds his name and the phone he signed in with.
	if v := bob.get("/account/export.vcf"); v.status != 200 || !strings.Contains(v.body, "FN:Bo Wu") || !strings.Contains(v.body, "+8613800000002") {
		t.Errorf("vCard export without a card: %d %s", v.status, v.body)
	}

	// Deleting asks for the confirmation, then deletes.
	acct := ann.get("/account")
	if p := ann.post("/account/delete", url.Values{"csrf": {acct.field("csrf")}}); p.status != 400 {
		t.Fatalf("deleting without the confirmation: %d", p.status)
	}
	p = ann.post("/account/delete", url.Values{"csrf": {acct.field("csrf")}, "confirm": {"yes"}})
	if p.status != 200 || !strings.Contains(p.body, `id="nav-sign-in"`) {
		t.Fatalf("deleting: %s (%d) %s", p.path, p.status, errorText(p))
	}

	// Nothing shows her any more.
	if p := ann.get("/account"); !strings.HasPrefix(p.path, "/login") {
		t.Fatalf("her browser is still signed in: %s", p.path)
	}
	if code := s.api(t, annToken, "/api/v1/me/card", nil); code != http.StatusUnauthorized {
		t.Fatalf("her token after the deletion: %d", code)
	}
	for _, p := range []page{bob.get(circle), bob.get("/settings"), org.get(circle + "/members.vcf"),
		org.get(circle + "/members.csv"), org.get(circle + "/manage")} {
		if strings.Contains(p.body, "Ann Lee") || strings.Contains(p.body, "+8613800000001") || strings.Contains(p.body, "Annalist") {
			t.Errorf("after the deletion %s still shows her", p.path)
		}
	}
	var contacts any
	if code := s.api(t, bobToken, "/api/v1/contacts", &contacts); code != 200 || strings.Contains(toJSON(contacts), "Ann") {
		t.Errorf("Bob's contacts after the deletion: %d %v", code, contacts)
	}
	var msgs struct {
		Items []map[string]any `json:"messages"`
	}
	s.api(t, bobToken, "/api/v1/users/"+strconv.FormatInt(annID, 10)+"/messages", &msgs)
	if len(msgs.Items) != 1 || msgs.Items[0]["body"] != "See you at the booth" {
		t.Errorf("the message she sent is gone from Bob's conversation: %v", msgs)
	}
	u, err := s.db.User(ctx, annID)
	if err != nil || !u.Deleted() || u.DisplayName != "" || strings.HasPrefix(u.Phone, "+") {
		t.Fatalf("her user row: %+v %v", u, err)
	}
	entries, err := s.db.AuditLog(ctx, storage.AuditQuery{ActorID: annID, Limit: 100})
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	var deleted bool
	for _, e := range entries {
		deleted = deleted || e.Action == qrcircles.AuditAccountDelete
		if e.IP != "" || strings.Contains(e.Detail, "+86138") {
			t.Errorf("audit entry keeps more than her ID: %+v", e)
		}
	}
	if !deleted {
		t.Error("no account.delete audit entry")
	}

	// Her number may sign up again, as a new person.
	again := s.browser()
	again.signIn(again.get("/account"), "+8613800000001", "Ann Again")
	if u := s.user("+8613800000001", "Ann Again"); u.ID == annID {
		t.Fatal("signing up again brought the deleted account back")
	}
}

// token issues an access token for the user to a partner app with every API scope.
func (s *site) token(t *testing.T, userID int64) string {
	t.Helper()
	ctx := context.Background()
	cl, _, err := s.app.authz.Clients().Create(ctx, authz.ClientSpec{Name: "App " + strconv.FormatInt(userID, 10), Public: true,
		RedirectURIs: []string{"http://127.0.0.1/cb"}, Scopes: []string{"cards:read", "cards:write", "messages:read"},
		Grants: []string{authz.GrantAuthorizationCode}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.app.authz.IssueAccessToken(ctx, authz.TokenSpec{ClientID: cl.ID, UserID: userID,
		Scopes: []string{"cards:read", "cards:write", "messages:read"}, Lifespan: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// api GETs path with the token and decodes the answer into out (if not nil).
func (s *site) api(t *testing.T, token, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		_ = json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
