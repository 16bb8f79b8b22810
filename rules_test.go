package qrcircles

import (
	"encoding/json"
	"testing"
)

func TestRangesSerializeInSnakeCase(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"phone range", PhoneRange{From: "+861", To: "+862"}, `{"from":"+861","to":"+862"}`},
		{"user-ID range", IDRange{From: 1, To: 1000}, `{"from":1,"to":1000}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Fatalf("got %s, want %s", b, tt.want)
			}
		})
	}
}

// TestRangesDecodeTheirOldKeys: clients and stored rows written before the keys were lower
// case send {"From":…,"To":…}.
func TestRangesDecodeTheirOldKeys(t *testing.T) {
	var p PhoneRange
	if err := json.Unmarshal([]byte(`{"From":"+861","To":"+862"}`), &p); err != nil || p != (PhoneRange{From: "+861", To: "+862"}) {
		t.Fatalf("phone range %+v, %v", p, err)
	}
	var r IDRange
	if err := json.Unmarshal([]byte(`{"From":1,"To":1000}`), &r); err != nil || r != (IDRange{From: 1, To: 1000}) {
		t.Fatalf("user-ID range %+v, %v", r, err)
	}
}

func TestCircleSMSBudget(t *testing.T) {
	for _, tc := range []struct{ expected, cap, want int }{{300, 50, 300}, {0, 50, 50}, {0, 0, DefaultCircleSMSBudget}} {
		if got := CircleSMSBudget(tc.expected, tc.cap); got != tc.want {
			t.Errorf("CircleSMSBudget(%d, %d) = %d, want %d", tc.expected, tc.cap, got, tc.want)
		}
	}
}
