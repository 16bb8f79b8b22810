package qrcircles

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// FuzzCheck: whatever the text, Check never panics, accepts only valid UTF-8 without control
// characters (newline and tab in a multi-line field) within the limit, names the field, and
// Clean's result is accepted exactly when Clean says so and is clean again unchanged.
func FuzzTextCheck(f *testing.F) {
	for _, s := range []string{"", "Expo", "二维码好友圈", "a\x00b", "a\xffb", "a\r\nb", "\u2028", "😀", " \t x \n", "\xed\xa0\x80"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		fd := TextCircleTitle // a field of the catalog, so that Chinese knows its label
		if multiline {
			fd = TextCardNote
		}
		fd.Max = 8
		err := fd.Check(s)
		ok := utf8.ValidString(s) && utf8.RuneCountInString(s) <= fd.Max
		for _, r := range s {
			allowed := multiline && (r == '\n' || r == '\t')
			if (unicode.IsControl(r) || r == '\u2028' || r == '\u2029') && !allowed {
				ok = false
			}
		}
		if ok != (err == nil) {
			t.Fatalf("Check(%q, multiline %v) = %v, want ok %v", s, multiline, err, ok)
		}
		if err != nil {
			e := err.(*TextError)
			if e.InvalidField() != fd.Name || !strings.HasPrefix(e.Error(), fd.English+" ") {
				t.Fatalf("error %q does not name the field", e.Error())
			}
			if w := e.Words(); w.English() != e.Error() || w.In(LangChinese) != e.Chinese() {
				t.Fatalf("Words of %q: %q / %q, want %q", e.Error(), w.English(), w.In(LangChinese), e.Chinese())
			}
		}
		c, err := fd.Clean(s)
		if err == nil {
			if again, err := fd.Clean(c); err != nil || again != c {
				t.Fatalf("Clean(%q) = %q, and again %q %v", s, c, again, err)
			}
		}
	})
}

// FuzzCheckJSON: CheckJSON refuses a document exactly when one of its strings, decoded, would
// hold a U+FFFD that its text did not (an invalid byte or half a surrogate pair), and never
// panics. The oracle decodes each string literal by itself, strictly.
func FuzzCheckTextJSON(f *testing.F) {
	for _, s := range []string{`{"title":"Expo"}`, "{\"t\":\"\xff\"}", `{"t":"\ud800"}`, `{"t":"\ud83d\ude00"}`,
		`["a",{"b":"\\ud800"}]`, `{"t":"\ufffd"}`, `"x"`, `{`, `{"a":[1,"\udc00"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		err := CheckTextJSON(doc)
		if !json.Valid(doc) {
			return // the decoder refuses it; CheckJSON may say anything but must not panic
		}
		want := false
		forEachString(doc, func(lit []byte) {
			if _, exact := strictString(lit); !exact {
				want = true
			}
		})
		if (err != nil) != want {
			t.Fatalf("CheckJSON(%q) = %v, want refused %v", doc, err, want)
		}
	})
}

// forEachString calls fn with every string literal (quotes included) of a valid document.
func forEachString(doc []byte, fn func(lit []byte)) {
	for i := 0; i < len(doc); i++ {
		if doc[i] != '"' {
			continue
		}
		j := i + 1
		for doc[j] != '"' {
			if doc[j] == '\\' {
				j++
			}
			j++
		}
		fn(doc[i : j+1])
		i = j
	}
}

// strictString decodes a valid JSON string literal, reporting whether it was exact: no byte
// and no escape had to be replaced. It also checks that encoding/json decodes it the same.
func strictString(lit []byte) (string, bool) {
	var b strings.Builder
	exact := true
	var units []uint16
	flush := func() {
		for _, r := range utf16.Decode(units) {
			if r == utf8.RuneError {
				exact = false
			}
			b.WriteRune(r)
		}
		units = units[:0]
	}
	body := lit[1 : len(lit)-1]
	for i := 0; i < len(body); {
		if body[i] == '\\' && body[i+1] == 'u' {
			v, _ := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
			if v == 0xFFFD {
				flush()
				b.WriteRune(0xFFFD) // written, not replaced
			} else {
				units = append(units, uint16(v))
			}
			i += 6
			continue
		}
		flush()
		if body[i] == '\\' {
			b.WriteByte(map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}[body[i+1]])
			i += 2
			continue
		}
		r, size := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && size == 1 {
			exact = false
		}
		b.WriteRune(r)
		i += size
	}
	flush()
	var std string
	if err := json.Unmarshal(lit, &std); err != nil || std != b.String() {
		panic("strictString disagrees with encoding/json on " + strconv.Quote(string(lit)))
	}
	return b.String(), exact
}
