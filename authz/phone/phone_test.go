package phone

import (
	"errors"
	"testing"

	"qrcircles"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		name, in, region, want string
	}{
		{"CN national", "13800138000", "CN", "+8613800138000"},
		{"CN with spaces and dashes", " 138-0013 8000 ", "CN", "+8613800138000"},
		{"CN with +86", "+86 138 0013 8000", "CN", "+8613800138000"},
		{"CN with 0086", "0086 13800138000", "CN", "+8613800138000"},
		{"CN with 0086 outside CN", "0086 13800138000", "US", "+8613800138000"},
		{"CN from another region", "+8613800138000", "GB", "+8613800138000"},
		{"CN full-width digits", "１３８００１３８０００", "CN", "+8613800138000"},
		{"region in lower case", "13800138000", "cn", "+8613800138000"},
		{"US national", "(415) 555-2671", "US", "+14155552671"},
		{"US with +1", "+1 415-555-2671", "CN", "+14155552671"},
		{"UK national with trunk 0", "07911 123456", "GB", "+447911123456"},
		{"UK with 0044", "0044 7911 123456", "GB", "+447911123456"},
		{"UK international", "+44 7911 123456", "CN", "+447911123456"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in, tc.region)
			if err != nil || got != tc.want {
				t.Fatalf("Normalize(%q, %q) = %q, %v; want %q", tc.in, tc.region, got, err, tc.want)
			}
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	for _, tc := range []struct {
		name, in, region, wantMessage string
	}{
		{"empty", "  ", "CN", "Enter your phone number."},
		{"garbage", "hello!", "CN", "This does not look like a phone number. Enter digits only, for example 138 0013 8000 or +86 138 0013 8000."},
		{"too short", "138", "CN", "This phone number is too short. Check the digits."},
		{"too long", "+86 138 0013 8000 1234", "CN", "This phone number is too long. Check the digits."},
		{"CN number with a wrong prefix", "12800138000", "CN", "This is not a valid phone number. Check the digits, and start with + and the country code if it is from another country."},
		{"eleven ones", "11111111111", "CN", "This is not a valid phone number. Check the digits, and start with + and the country code if it is from another country."},
		{"UK number too short", "+44 1234", "CN", "This is not a valid phone number. Check the digits, and start with + and the country code if it is from another country."},
		{"unknown country code", "+999 12345678", "CN", "The country code is not known. Start with + and the country code, for example +86."},
		{"no country code and no default region", "13800138000", "", "The country code is not known. Start with + and the country code, for example +86."},
		{"one digit", "5", "CN", "This does not look like a phone number. Enter digits only, for example 138 0013 8000 or +86 138 0013 8000."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in, tc.region)
			var p *qrcircles.Error
			if !errors.As(err, &p) {
				t.Fatalf("Normalize(%q) = %q, %v; want a problem", tc.in, got, err)
			}
			if p.Code != qrcircles.EInvalid || p.Field != "phone" || p.Message != tc.wantMessage {
				t.Fatalf("Normalize(%q): %s %q %q; want invalid phone %q", tc.in, p.Code, p.Field, p.Message, tc.wantMessage)
			}
			if zh := p.In(qrcircles.LangChinese); zh != chinese[tc.wantMessage] {
				t.Fatalf("Normalize(%q) in Chinese: %q; want %q", tc.in, zh, chinese[tc.wantMessage])
			}
		})
	}
}

// chinese is what a Chinese page shows for each of Normalize's messages.
var chinese = map[string]string{
	"Enter your phone number.": "请输入手机号。",
	"This does not look like a phone number. Enter digits only, for example 138 0013 8000 or +86 138 0013 8000.":               "这不像手机号。请只输入数字，例如 138 0013 8000 或 +86 138 0013 8000。",
	"This phone number is too short. Check the digits.":                                                                        "手机号太短，请检查号码。",
	"This phone number is too long. Check the digits.":                                                                         "手机号太长，请检查号码。",
	"This is not a valid phone number. Check the digits, and start with + and the country code if it is from another country.": "手机号无效。请检查号码；其他国家或地区的号码请以 + 和国家代码开头。",
	"The country code is not known. Start with + and the country code, for example +86.":                                       "国家代码无法识别。请以 + 和国家代码开头，例如 +86。",
}
