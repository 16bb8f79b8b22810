package admission

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"qrcircles"
)

func TestValidate(t *testing.T) {
	start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		rules     qrcircles.Rules
		wantField string // "" means valid
	}{
		{"zero rules", qrcircles.Rules{}, ""},
		{"full valid rules", qrcircles.Rules{
			NotBefore: start, NotAfter: start.Add(time.Hour),
			PhonePrefixes: []string{"+8", "+86138", "+" + strings.Repeat("1", 15)},
			PhoneRanges:   []qrcircles.PhoneRange{{From: "+999", To: "+10000"}, {From: "+12", To: "+12"}},
			UserIDRanges:  []qrcircles.IDRange{{From: 1, To: 1}, {From: 5, To: 9}},
			Allowlist:     []string{"+8613812345678"},
			Cap:           50, Mode: qrcircles.ModeReview, Closed: true,
		}, ""},
		{"window of one instant", qrcircles.Rules{NotBefore: start, NotAfter: start}, ""},
		{"only not_after", qrcircles.Rules{NotAfter: start}, ""},
		{"not_after before not_before", qrcircles.Rules{NotBefore: start, NotAfter: start.Add(-1)}, "not_after"},

		{"prefix without plus", qrcircles.Rules{PhonePrefixes: []string{"86138"}}, "phone_prefixes[0]"},
		{"prefix plus only", qrcircles.Rules{PhonePrefixes: []string{"+"}}, "phone_prefixes[0]"},
		{"empty prefix", qrcircles.Rules{PhonePrefixes: []string{"+1", ""}}, "phone_prefixes[1]"},
		{"prefix with space", qrcircles.Rules{PhonePrefixes: []string{"+86 138"}}, "phone_prefixes[0]"},
		{"prefix of 16 digits", qrcircles.Rules{PhonePrefixes: []string{"+" + strings.Repeat("1", 16)}}, "phone_prefixes[0]"},

		{"range from of 1 digit", qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+1", To: "+19"}}}, "phone_ranges[0].from"},
		{"range to not E.164", qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+12", To: "12x"}}}, "phone_ranges[0].to"},
		{"range to of 16 digits", qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+12", To: "+" + strings.Repeat("9", 16)}}}, "phone_ranges[0].to"},
		{"range from after to, same length", qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+12", To: "+11"}}}, "phone_ranges[0]"},
		// Numerically 10000 > 999, though "+10000" < "+999" as text.
		{"range from after to, longer from", qrcircles.Rules{PhoneRanges: []qrcircles.PhoneRange{{From: "+10000", To: "+999"}}}, "phone_ranges[0]"},

		{"user-ID range reversed", qrcircles.Rules{UserIDRanges: []qrcircles.IDRange{{From: 1, To: 2}, {From: 9, To: 5}}}, "user_id_ranges[1]"},
		{"allowlist entry not E.164", qrcircles.Rules{Allowlist: []string{"+12", "+34", "0861381234"}}, "allowlist[2]"},
		{"negative cap", qrcircles.Rules{Cap: -1}, "cap"},

		{"mode rules", qrcircles.Rules{Mode: qrcircles.ModeRules}, ""},
		{"mode open", qrcircles.Rules{Mode: qrcircles.ModeOpen}, ""},
		{"unknown mode", qrcircles.Rules{Mode: "reveiw"}, "mode"},

		{"100 prefixes", qrcircles.Rules{PhonePrefixes: phones(MaxRanges)}, ""},
		{"101 prefixes", qrcircles.Rules{PhonePrefixes: phones(MaxRanges + 1)}, "phone_prefixes"},
		{"101 phone ranges", qrcircles.Rules{PhoneRanges: make([]qrcircles.PhoneRange, MaxRanges+1)}, "phone_ranges"},
		{"101 user-ID ranges", qrcircles.Rules{UserIDRanges: make([]qrcircles.IDRange, MaxRanges+1)}, "user_id_ranges"},
		{"10000 allowlist entries", qrcircles.Rules{Allowlist: phones(MaxAllowlist)}, ""},
		{"10001 allowlist entries", qrcircles.Rules{Allowlist: phones(MaxAllowlist + 1)}, "allowlist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.rules)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %#v, want *FieldError on %s", err, tt.wantField)
			}
			if _, ok := qrcircles.Phrase(fe.Problem.Key); fe.Field != tt.wantField || !ok {
				t.Errorf("Validate() field %q problem %q, want field %q and a phrase", fe.Field, fe.Problem.Key, tt.wantField)
			}
			if !strings.HasPrefix(err.Error(), tt.wantField+": ") {
				t.Errorf("Error() = %q, want it to start with the field", err.Error())
			}
		})
	}
}

// phones returns n distinct valid E.164 numbers.
func phones(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("+86138%08d", i)
	}
	return out
}
