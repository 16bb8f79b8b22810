package admission

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		rules     Rules
		wantField string // "" means valid
	}{
		{"zero rules", Rules{}, ""},
		{"full valid rules", Rules{
			NotBefore: start, NotAfter: start.Add(time.Hour),
			PhonePrefixes: []string{"+8", "+86138", "+" + strings.Repeat("1", 15)},
			PhoneRanges:   []PhoneRange{{"+999", "+10000"}, {"+12", "+12"}},
			UserIDRanges:  []IDRange{{1, 1}, {5, 9}},
			Allowlist:     []string{"+8613812345678"},
			Cap:           50, Mode: ModeReview, Closed: true,
		}, ""},
		{"window of one instant", Rules{NotBefore: start, NotAfter: start}, ""},
		{"only not_after", Rules{NotAfter: start}, ""},
		{"not_after before not_before", Rules{NotBefore: start, NotAfter: start.Add(-1)}, "not_after"},

		{"prefix without plus", Rules{PhonePrefixes: []string{"86138"}}, "phone_prefixes[0]"},
		{"prefix plus only", Rules{PhonePrefixes: []string{"+"}}, "phone_prefixes[0]"},
		{"empty prefix", Rules{PhonePrefixes: []string{"+1", ""}}, "phone_prefixes[1]"},
		{"prefix with space", Rules{PhonePrefixes: []string{"+86 138"}}, "phone_prefixes[0]"},
		{"prefix of 16 digits", Rules{PhonePrefixes: []string{"+" + strings.Repeat("1", 16)}}, "phone_prefixes[0]"},

		{"range from of 1 digit", Rules{PhoneRanges: []PhoneRange{{"+1", "+19"}}}, "phone_ranges[0].from"},
		{"range to not E.164", Rules{PhoneRanges: []PhoneRange{{"+12", "12x"}}}, "phone_ranges[0].to"},
		{"range to of 16 digits", Rules{PhoneRanges: []PhoneRange{{"+12", "+" + strings.Repeat("9", 16)}}}, "phone_ranges[0].to"},
		{"range from after to, same length", Rules{PhoneRanges: []PhoneRange{{"+12", "+11"}}}, "phone_ranges[0]"},
		// Numerically 10000 > 999, though "+10000" < "+999" as text.
		{"range from after to, longer from", Rules{PhoneRanges: []PhoneRange{{"+10000", "+999"}}}, "phone_ranges[0]"},

		{"user-ID range reversed", Rules{UserIDRanges: []IDRange{{1, 2}, {9, 5}}}, "user_id_ranges[1]"},
		{"allowlist entry not E.164", Rules{Allowlist: []string{"+12", "+34", "0861381234"}}, "allowlist[2]"},
		{"negative cap", Rules{Cap: -1}, "cap"},

		{"mode rules", Rules{Mode: ModeRules}, ""},
		{"mode open", Rules{Mode: ModeOpen}, ""},
		{"unknown mode", Rules{Mode: "reveiw"}, "mode"},

		{"100 prefixes", Rules{PhonePrefixes: phones(MaxRanges)}, ""},
		{"101 prefixes", Rules{PhonePrefixes: phones(MaxRanges + 1)}, "phone_prefixes"},
		{"101 phone ranges", Rules{PhoneRanges: make([]PhoneRange, MaxRanges+1)}, "phone_ranges"},
		{"101 user-ID ranges", Rules{UserIDRanges: make([]IDRange, MaxRanges+1)}, "user_id_ranges"},
		{"10000 allowlist entries", Rules{Allowlist: phones(MaxAllowlist)}, ""},
		{"10001 allowlist entries", Rules{Allowlist: phones(MaxAllowlist + 1)}, "allowlist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rules.Validate()
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
			if fe.Field != tt.wantField || fe.Message == "" {
				t.Errorf("Validate() field %q message %q, want field %q", fe.Field, fe.Message, tt.wantField)
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
