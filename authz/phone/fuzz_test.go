package phone

import (
	"errors"
	"regexp"
	"testing"

	"qrcircles"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// FuzzNormalize: whatever is typed, Normalize never panics; it returns E.164 that it takes
// back unchanged in any region, or an invalid-phone problem whose message the pages can
// show in Chinese.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"13800138000", " 138-0013 8000 ", "+86 138 0013 8000", "0086 13800138000", "１３８００１３８０００",
		"(415) 555-2671", "07911 123456", "+999 12345678", "hello!", "", "+", "00", "+86\x00138", "\xff\xfe", "+1 415 555 2671 ext. 9",
		"tel:+14155552671", "+86 138 0013 8000 1234", "0000000000000000000000"} {
		f.Add(s, "CN")
		f.Add(s, "US")
	}
	f.Add("13800138000", "")
	f.Add("13800138000", "zz")
	f.Fuzz(func(t *testing.T, in, region string) {
		got, err := Normalize(in, region)
		if err != nil {
			var p *qrcircles.Error
			if !errors.As(err, &p) || p.Code != qrcircles.EInvalid || p.Field != "phone" {
				t.Fatalf("Normalize(%q, %q) = %v, want an invalid-phone problem", in, region, err)
			}
			if p.Words.Zero() || p.In(qrcircles.LangChinese) == p.Message {
				t.Fatalf("message %q has no Chinese", p.Message)
			}
			return
		}
		if !e164.MatchString(got) {
			t.Fatalf("Normalize(%q, %q) = %q, not E.164", in, region, got)
		}
		for _, r := range []string{region, "CN", "US", "GB", ""} {
			if again, err := Normalize(got, r); err != nil || again != got {
				t.Fatalf("Normalize(%q, %q) = %q, %v; want it unchanged", got, r, again, err)
			}
		}
	})
}
