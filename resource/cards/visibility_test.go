package cards

import (
	"strings"
	"testing"
)

func TestCardRelate(t *testing.T) {
	tests := []struct {
		name string
		f    Facts
		want Relation
	}{
		{"self", Facts{OwnerID: 1, ViewerID: 1, CircleID: 5}, Relation{Kind: Self}},
		{"contact anywhere", Facts{OwnerID: 1, ViewerID: 2, ViewerHoldsOwner: true}, Relation{Kind: Contact}},
		{"fellow member", Facts{OwnerID: 1, ViewerID: 2, CircleID: 5, OwnerIsMember: true, ViewerIsMember: true}, Relation{Member, 5}},
		{"organizer", Facts{OwnerID: 1, ViewerID: 2, CircleID: 5, OwnerIsMember: true, ViewerOrganizes: true}, Relation{Organizer, 5}},
		{"owner not in the circle", Facts{OwnerID: 1, ViewerID: 2, CircleID: 5, ViewerIsMember: true, ViewerOrganizes: true}, Relation{}},
		{"viewer not in the circle", Facts{OwnerID: 1, ViewerID: 2, CircleID: 5, OwnerIsMember: true}, Relation{}},
		{"no circle", Facts{OwnerID: 1, ViewerID: 2}, Relation{}},
	}
	for _, tt := range tests {
		if got := Relate(tt.f); got != tt.want {
			t.Errorf("%s: Relate = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestVisibleFields(t *testing.T) {
	s := Settings{Default: Basic, Circles: map[int64]FieldSet{7: FieldSet(DisplayName | Phones), 8: All}}
	tests := []struct {
		name string
		rel  Relation
		want FieldSet
	}{
		{"self sees all", Relation{Kind: Self}, All},
		{"contact sees all", Relation{Kind: Contact}, All},
		{"member of a circle with a choice", Relation{Member, 7}, FieldSet(DisplayName | Phones)},
		{"organizer sees what the member sees", Relation{Organizer, 7}, FieldSet(DisplayName | Phones)},
		{"circle with all", Relation{Member, 8}, All},
		{"circle without a choice takes the default", Relation{Member, 9}, Basic},
		{"member without a circle", Relation{Member, 0}, None},
		{"stranger sees nothing", Relation{Stranger, 7}, None},
		{"unknown kind sees nothing", Relation{Kind(99), 7}, None},
	}
	for _, tt := range tests {
		if got := VisibleFields(s, tt.rel); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	// The name cannot be hidden from a circle whose member list shows it anyway.
	if got := VisibleFields(Settings{Default: None}, Relation{Member, 1}); got != FieldSet(DisplayName) {
		t.Errorf("empty choice: %v", got)
	}
}

func TestCardProject(t *testing.T) {
	c := validCard()
	c.HasAvatar = true
	p := Project(c, FieldSet(DisplayName|Emails))
	if p.DisplayName != c.DisplayName || len(p.Emails) != 1 || p.Title != "" || p.Company != "" || p.Phones != nil ||
		p.Address != "" || p.Website != "" || p.Note != "" || p.HasAvatar {
		t.Fatalf("projected %+v", p)
	}
	p.Emails[0] = "changed"
	if c.Emails[0] == "changed" {
		t.Fatal("projection shares the owner's slice")
	}
	if q := Project(c, All); q.Note != c.Note || !q.HasAvatar || q.Phones[0] != c.Phones[0] {
		t.Fatalf("all: %+v", q)
	}
}

func TestFilledAndBasicOnly(t *testing.T) {
	for _, c := range []struct {
		card Card
		want []string
	}{
		{Card{}, []string{}},
		{Card{DisplayName: "Ann", Company: "Acme", Phones: []string{"+8613800000001"}}, []string{"display_name", "company", "phones"}},
		{Card{DisplayName: "Ann", Emails: []string{}, HasAvatar: true, Note: "n"}, []string{"display_name", "note", "avatar"}},
	} {
		if got := Filled(c.card).Names(); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("Filled(%+v) = %v, want %v", c.card, got, c.want)
		}
	}
	for fs, want := range map[FieldSet]bool{None: true, FieldSet(DisplayName): true, Basic: true, Basic | FieldSet(Phones): false, All: false} {
		if BasicOnly(fs) != want {
			t.Errorf("BasicOnly(%v) = %v", fs, !want)
		}
	}
}
