package cards

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestViewIsOneFlatCard: the card's fields appear once, flat beside user_id and avatar_url,
// in the shape PUT /me/card takes.
func TestViewIsOneFlatCard(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
		url  string
		want string
	}{
		{"all fields", Entry{UserID: 7, Card: Card{DisplayName: "Li Lei", Title: "CTO", Company: "Acme", Phones: []string{"+8613800138000"},
			Emails: []string{"li@example.com"}, Address: "Shanghai", Website: "https://example.com", Note: "hi", HasAvatar: true}}, "/a/7",
			`{"user_id":7,"display_name":"Li Lei","title":"CTO","company":"Acme","phones":["+8613800138000"],"emails":["li@example.com"],"address":"Shanghai","website":"https://example.com","note":"hi","avatar_url":"/a/7"}`},
		{"hidden fields empty, no avatar", Entry{UserID: 8, Card: Card{DisplayName: "Han Meimei"}}, "/a/8",
			`{"user_id":8,"display_name":"Han Meimei","title":"","company":"","phones":[],"emails":[],"address":"","website":"","note":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(ViewOf(tt.e, tt.url))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Fatalf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestJSONCardReadsIntoACard(t *testing.T) {
	var j JSONCard
	body := `{"display_name":"Li Lei","title":"CTO","company":"Acme","phones":["138 0013 8000"],"emails":["li@example.com"],"address":"Shanghai","website":"https://example.com","note":"hi"}`
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		t.Fatal(err)
	}
	want := Card{DisplayName: "Li Lei", Title: "CTO", Company: "Acme", Phones: []string{"138 0013 8000"},
		Emails: []string{"li@example.com"}, Address: "Shanghai", Website: "https://example.com", Note: "hi"}
	if got := j.Card(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
}
