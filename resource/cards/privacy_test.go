package cards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// markerCard is a card whose every field holds a string found nowhere else, so that finding
// the string in an export proves the field reached it.
func markerCard(owner int64) (Card, map[Field]string) {
	m := map[Field]string{}
	for f := DisplayName; f <= Avatar; f <<= 1 {
		m[f] = fmt.Sprintf("MK%sU%dX", strings.ToUpper(strings.ReplaceAll(f.String(), "_", "")), owner)
	}
	digits := fmt.Sprintf("+1%09d", 100000000+owner*1000+7)
	m[Phones] = digits
	m[Emails] = strings.ToLower(m[Emails]) + "@example.com"
	m[Website] = "https://" + strings.ToLower(m[Website]) + ".example"
	c := Card{DisplayName: m[DisplayName], Title: m[Title], Company: m[Company], Phones: []string{m[Phones]},
		Emails: []string{m[Emails]}, Address: m[Address], Website: m[Website], Note: m[Note], HasAvatar: true}
	return c, m
}

func avatarMarker(owner int64) []byte { return []byte(fmt.Sprintf("AVATARBYTES%dEND", owner)) }

// exports renders one entry every way a viewer may receive it.
func exports(t *testing.T, e Entry) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range []Version{V4, V3} {
		var b bytes.Buffer
		if err := WriteVCards(&b, v, []Entry{e}); err != nil {
			t.Fatal(err)
		}
		// Unfold, and undo base64 of the photo by also searching the encoded marker.
		out["vcard "+string(v)] = strings.ReplaceAll(b.String(), "\r\n ", "")
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, []Entry{e}); err != nil {
		t.Fatal(err)
	}
	out["csv"] = b.String()
	j, err := json.Marshal(ViewOf(e, "/api/v1/users/1/avatar"))
	if err != nil {
		t.Fatal(err)
	}
	out["json"] = string(j)
	return out
}

// expected is the privacy rule written a second time, plainly, from the words.
func expected(s Settings, f Facts) FieldSet {
	if f.OwnerID == f.ViewerID || f.ViewerHoldsOwner {
		return All
	}
	inCircle := f.CircleID != 0 && f.OwnerIsMember && (f.ViewerIsMember || f.ViewerOrganizes)
	if !inCircle {
		return None
	}
	fs, ok := s.Circles[f.CircleID]
	if !ok {
		fs = s.Default
	}
	return fs | FieldSet(DisplayName)
}

func randomSettings(r *rand.Rand) Settings {
	s := Settings{Default: FieldSet(r.IntN(int(All) + 1)), Circles: map[int64]FieldSet{}}
	for c := int64(1); c <= 4; c++ {
		if r.IntN(2) == 0 {
			s.Circles[c] = FieldSet(r.IntN(int(All) + 1))
		}
	}
	return s
}

func randomFacts(r *rand.Rand, owner int64) Facts {
	return Facts{
		OwnerID: owner, ViewerID: int64(r.IntN(4) + 1), ViewerHoldsOwner: r.IntN(5) == 0,
		CircleID: int64(r.IntN(5)), OwnerIsMember: r.IntN(4) != 0, ViewerIsMember: r.IntN(2) == 0, ViewerOrganizes: r.IntN(3) == 0,
	}
}

// TestPrivacyProperty: random cards, visibility choices, relationships and viewers; no
// export ever holds a field the rule hides, and every field it shows is there.
func TestCardPrivacyProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		owner := int64(r.IntN(4) + 1)
		card, markers := markerCard(owner)
		s, f := randomSettings(r), randomFacts(r, owner)
		want := expected(s, f)
		projected, fs := ForViewer(card, s, Relate(f))
		if fs != want {
			t.Fatalf("case %d: facts %+v settings %+v: visible %v, want %v", i, f, s, fs, want)
		}
		e := Entry{UserID: owner, Card: projected, Photo: &Photo{ContentType: "image/png", Data: avatarMarker(owner)}}
		for name, text := range exports(t, e) {
			checkMarkers(t, fmt.Sprintf("case %d %s", i, name), text, markers, want, owner, name)
		}
	}
}

func checkMarkers(t *testing.T, where, text string, markers map[Field]string, visible FieldSet, owner int64, export string) {
	t.Helper()
	for f, m := range markers {
		if f == Avatar {
			continue
		}
		if strings.Contains(text, m) != visible.Has(f) {
			t.Fatalf("%s: field %v visible=%v but marker present=%v:\n%s", where, f, visible.Has(f), !visible.Has(f), text)
		}
	}
	photo := strings.Contains(text, b64(avatarMarker(owner))) || strings.Contains(text, "avatar_url")
	wantPhoto := visible.Has(Avatar) && export != "csv"
	if photo != wantPhoto {
		t.Fatalf("%s: avatar visible=%v but present=%v:\n%s", where, visible.Has(Avatar), photo, text)
	}
}

func b64(b []byte) string {
	var buf bytes.Buffer
	w := json.NewEncoder(&buf)
	_ = w.Encode(b) // JSON encodes []byte as standard base64, as the vCard photo is
	return strings.Trim(strings.TrimSpace(buf.String()), `"`)
}
