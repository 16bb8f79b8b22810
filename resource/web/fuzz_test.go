package web

import (
	"reflect"
	"strings"
	"testing"

	"qrcircles"
	"qrcircles/resource/admission"
	"qrcircles/storage"
)

// FuzzIdentityRanges: the phone and user-ID range fields of the circle form read any text
// without panicking, refuse a bad line as invalid input naming its field, read one range per
// non-blank line, and what the form shows for stored ranges reads back to the same ranges.
func FuzzIdentityRanges(f *testing.F) {
	for _, s := range []string{"+8613800000000..+8613899999999\n+1-+2", "1000..1999\n5\n 7 - 9 ", "a..b", "1..2..3", "-5", "1-2-3",
		"\n\n+86\n", "9223372036854775807..9223372036854775807", "１..２", "+86\x00..+87"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lineCount := len(lines(text))
		phones, errP := parsePhoneRanges(text)
		ids, errI := parseIDRanges(text)
		for field, err := range map[string]error{"phone_ranges": errP, "user_id_ranges": errI} {
			if err == nil {
				continue
			}
			if p, ok := qrcircles.ErrorOf(err); !ok || p.Code != qrcircles.EInvalid || p.Field != field {
				t.Fatalf("%s: %v, want invalid input naming the field", field, err)
			}
		}
		if errP == nil && len(phones) != lineCount {
			t.Fatalf("%d phone ranges from %d lines", len(phones), lineCount)
		}
		if errI == nil && len(ids) != lineCount {
			t.Fatalf("%d ID ranges from %d lines", len(ids), lineCount)
		}
		// What the rules accept is shown on the edit form and reads back the same.
		r := qrcircles.Rules{}
		if errP == nil && admission.Validate(qrcircles.Rules{PhoneRanges: phones}) == nil {
			r.PhoneRanges = phones
		}
		if errI == nil && admission.Validate(qrcircles.Rules{UserIDRanges: ids}) == nil {
			r.UserIDRanges = ids
		}
		form := formOf(storage.Circle{TimeZone: "UTC", Rules: r})
		backP, err1 := parsePhoneRanges(form.PhoneRanges)
		backI, err2 := parseIDRanges(form.IDRanges)
		if err1 != nil || err2 != nil || len(backP) != len(r.PhoneRanges) || len(backI) != len(r.UserIDRanges) ||
			(len(backP) > 0 && !reflect.DeepEqual(backP, r.PhoneRanges)) || (len(backI) > 0 && !reflect.DeepEqual(backI, r.UserIDRanges)) {
			t.Fatalf("ranges %+v shown as %q / %q read back as %+v / %+v (%v %v)", r, form.PhoneRanges, form.IDRanges, backP, backI, err1, err2)
		}
	})
}

// FuzzEmbedCode: the "Join with QR Circles" popup takes a code or a circle URL and reads the
// code after the first /c/, with no slashes around it.
func FuzzEmbedCode(f *testing.F) {
	for _, s := range []string{"Xk3v9QmZp2LwR7tYbN4sAA", "https://circles.example/c/Xk3v9QmZp2LwR7tYbN4sAA/", "/c/", "a/c/b/c/d", "//", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code := embedCode(s)
		if strings.HasPrefix(code, "/") || strings.HasSuffix(code, "/") {
			t.Fatalf("embedCode(%q) = %q", s, code)
		}
		if !strings.Contains(s, code) {
			t.Fatalf("embedCode(%q) = %q, which it does not hold", s, code)
		}
		if _, after, ok := strings.Cut(s, "/c/"); ok && !strings.HasPrefix(strings.TrimLeft(after, "/"), code) {
			t.Fatalf("embedCode(%q) = %q, not what follows /c/", s, code)
		}
	})
}
