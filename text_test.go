package qrcircles

import (
	"errors"
	"strings"
	"testing"
)

func TestTextCheck(t *testing.T) {
	one := TextField{Name: "title", English: "Title", Chinese: "标题", Max: 5}
	many := TextField{Name: "note", English: "Note", Chinese: "备注", Max: 5, Multiline: true}
	tests := []struct {
		name  string
		f     TextField
		in    string
		want  TextProblem // 0: accepted
		count int
	}{
		{"plain", one, "Expo", 0, 0},
		{"empty", one, "", 0, 0},
		{"five Chinese characters are five", one, "二维码好友", 0, 0},
		{"six Chinese characters are too many", one, "二维码好友圈", TextTooLong, 6},
		{"emoji counts one", one, "😀😀😀😀😀", 0, 0},
		{"bytes are not characters", one, "ééééé", 0, 0},
		{"invalid UTF-8", one, "a\xffb", TextNotUTF8, 0},
		{"truncated UTF-8", one, "a\xe4\xb8", TextNotUTF8, 0},
		{"an encoded surrogate", one, "\xed\xa0\x80", TextNotUTF8, 0},
		{"NUL", one, "a\x00b", TextControl, 0},
		{"NUL in several lines", many, "a\x00b", TextControl, 0},
		{"escape", one, "\x1b[31m", TextControl, 0},
		{"DEL", one, "a\x7f", TextControl, 0},
		{"C1 control", one, "a\u0090", TextControl, 0},
		{"newline in one line", one, "a\nb", TextLineBreak, 0},
		{"CR in one line", one, "a\rb", TextLineBreak, 0},
		{"line separator in one line", one, "a\u2028b", TextLineBreak, 0},
		{"NEL", one, "a\u0085b", TextControl, 0},
		{"tab in one line", one, "a\tb", TextControl, 0},
		{"newline in several lines", many, "a\nb", 0, 0},
		{"tab in several lines", many, "a\tb", 0, 0},
		{"CR in several lines", many, "a\rb", TextControl, 0},
		{"paragraph separator in several lines", many, "a\u2029b", TextControl, 0},
		{"newlines count", many, "ab\ncd\ne", TextTooLong, 7},
		{"replacement character written as such", one, "a\ufffdb", 0, 0},
		{"format characters are text", one, "a\u200db", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Check(tt.in)
			if tt.want == 0 {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			var e *TextError
			if !errors.As(err, &e) || e.Problem != tt.want || e.InvalidField() != tt.f.Name {
				t.Fatalf("Check(%q) = %#v, want problem %d on %s", tt.in, err, tt.want, tt.f.Name)
			}
			if tt.want == TextTooLong && e.Count != tt.count {
				t.Fatalf("count %d, want %d", e.Count, tt.count)
			}
			if !strings.HasPrefix(e.Error(), tt.f.English+" ") || !strings.HasPrefix(e.Chinese(), tt.f.Chinese) {
				t.Fatalf("messages %q / %q do not name the field", e.Error(), e.Chinese())
			}
		})
	}
}

func TestTextClean(t *testing.T) {
	tests := []struct {
		f       TextField
		in, out string
		ok      bool
	}{
		{TextCircleTitle, "  Expo 2026 \t", "Expo 2026", true},
		{TextCircleDescription, "line one\r\nline two\r\n", "line one\nline two", true},
		{TextCircleTitle, "one\r\ntwo", "one\ntwo", false},
		{TextCardNote, "\x00", "\x00", false},
		{TextCircleTitle, strings.Repeat("圈", 200), strings.Repeat("圈", 200), true},
		{TextCircleTitle, strings.Repeat("圈", 201), strings.Repeat("圈", 201), false},
	}
	for _, tt := range tests {
		got, err := tt.f.Clean(tt.in)
		if tt.ok != (err == nil) || (tt.ok && got != tt.out) {
			t.Errorf("%s.Clean(%q) = %q, %v; want %q, ok %v", tt.f.Name, tt.in, got, err, tt.out, tt.ok)
		}
	}
}

func TestTextAtNamesTheEntry(t *testing.T) {
	err := TextCardEmail.CheckAt(2, "a\x00@x.cn")
	var e *TextError
	if !errors.As(err, &e) || e.InvalidField() != "emails[2]" || !strings.HasPrefix(e.Error(), "Email ") {
		t.Fatalf("%#v", err)
	}
}

// TestTextWordsSayEveryMessage: every message of every field is said by key, in English as the
// API gives it and in Chinese as a page shows it, naming the field.
func TestTextWordsSayEveryMessage(t *testing.T) {
	labels := map[string]string{}
	for _, f := range TextFields() {
		if zh, ok := labels[f.English]; ok && zh != f.Chinese {
			t.Fatalf("label %q is %q and %q in Chinese: a message could not be translated", f.English, zh, f.Chinese)
		}
		labels[f.English] = f.Chinese
		for _, e := range []*TextError{{Field: f, Problem: TextNotUTF8}, {Field: f, Problem: TextControl, Rune: 0},
			{Field: f, Problem: TextControl, Rune: 0x9f}, {Field: f, Problem: TextLineBreak}, {Field: f, Problem: TextTooLong, Count: f.Max + 7}} {
			zh := e.Words().In(LangChinese)
			if e.Words().English() != e.Error() || zh != e.Chinese() {
				t.Errorf("Words of %q: %q / %q, want %q", e.Error(), e.Words().English(), zh, e.Chinese())
			}
			if !strings.Contains(zh, f.Chinese) {
				t.Errorf("%q does not name %s", zh, f.Chinese)
			}
		}
	}
}

func TestCheckTextJSON(t *testing.T) {
	tests := []struct {
		name, doc, field string // field "": accepted
	}{
		{"clean", `{"title":"Expo","n":1,"list":["a","b"]}`, ""},
		{"Chinese", `{"title":"二维码好友圈"}`, ""},
		{"escaped pair", `{"title":"\ud83d\ude00"}`, ""},
		{"written replacement character", `{"title":"\ufffd and ` + "\ufffd" + `"}`, ""},
		{"escaped backslash before u", `{"title":"\\ud800"}`, ""},
		{"NUL escape is text for the field rule to refuse", `{"title":"\u0000"}`, ""},
		{"not JSON is left to the decoder", `{"title":`, ""},
		{"invalid byte", "{\"title\":\"a\xffb\"}", "title"},
		{"invalid byte in the second member", "{\"title\":\"ok\",\"description\":\"\xc3\"}", "description"},
		{"lone high surrogate", `{"title":"a\ud800b"}`, "title"},
		{"lone low surrogate", `{"title":"\udc00"}`, "title"},
		{"high then high", `{"title":"\ud800\ud800"}`, "title"},
		{"in an array", "{\"phones\":[\"+86\",\"\xff\"]}", "phones[1]"},
		{"nested", "{\"card\":{\"a\":[1,{\"note\":\"\xfe\"}]}}", "card.a[1].note"},
		{"after nested values", "{\"a\":{\"b\":[1,2]},\"c\":[{}],\"d\":\"\xff\"}", "d"},
		{"in a key", "{\"ti\xfftle\":\"x\"}", "ti\ufffdtle"},
		{"whole body", "\"\xff\"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTextJSON([]byte(tt.doc))
			bad := strings.Contains(tt.name, "whole") || tt.field != ""
			if !bad {
				if err != nil {
					t.Fatalf("CheckJSON(%q) = %v", tt.doc, err)
				}
				return
			}
			var e *TextError
			if !errors.As(err, &e) || e.Problem != TextNotUTF8 || e.InvalidField() != tt.field {
				t.Fatalf("CheckJSON(%q) = %#v, want the field %q named", tt.doc, err, tt.field)
			}
		})
	}
}
