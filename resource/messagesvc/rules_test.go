package messagesvc

import (
	"strings"
	"testing"

	"qrcircles"
)

// problemOf returns err's code and field, or "" when err is nil.
func problemOf(t *testing.T, err error) (code, field string) {
	t.Helper()
	if err == nil {
		return "", ""
	}
	p, ok := qrcircles.ErrorOf(err)
	if !ok {
		t.Fatalf("%v is not a problem", err)
	}
	return p.Code, p.Field
}

func TestMessageBodyRules(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"one character", "x", true},
		{"2000 ASCII", strings.Repeat("a", MaxBody), true},
		{"2000 CJK runes (6000 bytes)", strings.Repeat("中", MaxBody), true},
		{"2000 emoji runes", strings.Repeat("🙂", MaxBody), true},
		{"newlines and tabs", "line 1\n\tline 2\n", true},
		{"empty", "", false},
		{"only spaces", " \n\t ", false},
		{"2001 ASCII", strings.Repeat("a", MaxBody+1), false},
		{"2001 CJK runes", strings.Repeat("中", MaxBody+1), false},
		{"CRLF line ends, as a browser sends them", "a\r\nb", true},
		{"carriage return", "a\rb", false},
		{"NUL", "a\x00b", false},
		{"escape", "a\x1b[31mb", false},
		{"C1 control", "a\u0085b", false},
		{"invalid UTF-8", "a\xffb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CleanBody(tt.body)
			if (err == nil) != tt.ok {
				t.Fatalf("CleanBody = %v, want ok %v", err, tt.ok)
			}
			if err == nil && strings.ContainsRune(got, '\r') {
				t.Fatalf("CleanBody kept a carriage return: %q", got)
			}
			if code, field := problemOf(t, err); err != nil && (code != qrcircles.EInvalid || field != "body") {
				t.Fatalf("problem %s on %q, want invalid on body", code, field)
			}
		})
	}
}

func TestMessageReachRules(t *testing.T) {
	tests := []struct {
		name      string
		r         Reach
		wantCode  string
		wantBlock bool // the refusal is the stranger block's
	}{
		{"self", Reach{Self: true, SharesCircle: true}, qrcircles.EInvalid, false},
		{"nothing shared", Reach{}, qrcircles.EForbidden, false},
		{"shared circle", Reach{SharesCircle: true}, "", false},
		{"sender holds recipient", Reach{SenderHolds: true}, "", false},
		{"recipient holds sender", Reach{RecipientHolds: true}, "", false},
		{"blocks strangers, shared circle only", Reach{SharesCircle: true, RecipientBlocks: true}, qrcircles.EForbidden, true},
		{"blocks strangers, sender holds recipient only", Reach{SenderHolds: true, RecipientBlocks: true}, qrcircles.EForbidden, true},
		{"blocks strangers, sender is their contact", Reach{RecipientHolds: true, RecipientBlocks: true}, "", false},
		{"blocks strangers, contact and circle", Reach{SharesCircle: true, RecipientHolds: true, RecipientBlocks: true}, "", false},
		{"blocks strangers, nothing shared", Reach{RecipientBlocks: true}, qrcircles.EForbidden, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := MayMessage(tt.r)
			if code, _ := problemOf(t, err); code != tt.wantCode {
				t.Fatalf("MayMessage = %v, want code %q", err, tt.wantCode)
			}
			blocked := err != nil && strings.Contains(err.Error(), "does not accept messages from people who are not their contacts")
			if blocked != tt.wantBlock {
				t.Fatalf("MayMessage = %v; stranger-block wording %v, want %v", err, blocked, tt.wantBlock)
			}
		})
	}
}

func TestAnnounceRules(t *testing.T) {
	if err := MayAnnounce(7, 7); err != nil {
		t.Errorf("organizer refused: %v", err)
	}
	if code, _ := problemOf(t, MayAnnounce(7, 8)); code != qrcircles.EForbidden {
		t.Errorf("non-organizer: code %q", code)
	}
	for _, tt := range []struct{ organizes, member, ok bool }{{true, false, true}, {false, true, true}, {true, true, true}, {false, false, false}} {
		if got := MayReadCircle(tt.organizes, tt.member) == nil; got != tt.ok {
			t.Errorf("MayReadCircle(%v, %v) ok = %v", tt.organizes, tt.member, got)
		}
		if got := MayMute(tt.organizes, tt.member) == nil; got != tt.ok {
			t.Errorf("MayMute(%v, %v) ok = %v", tt.organizes, tt.member, got)
		}
	}
}

func TestMessagePageParsing(t *testing.T) {
	tests := []struct {
		before, limit string
		want          Page
		badField      string
	}{
		{"", "", Page{Limit: DefaultLimit}, ""},
		{"42", "10", Page{BeforeID: 42, Limit: 10}, ""},
		{"", "100", Page{Limit: 100}, ""},
		{"", "101", Page{}, "limit"},
		{"", "0", Page{}, "limit"},
		{"", "x", Page{}, "limit"},
		{"0", "", Page{}, "before_id"},
		{"-3", "", Page{}, "before_id"},
		{"abc", "", Page{}, "before_id"},
	}
	for _, tt := range tests {
		p, err := ParsePage(tt.before, tt.limit)
		if _, field := problemOf(t, err); field != tt.badField {
			t.Errorf("ParsePage(%q, %q) error %v, want field %q", tt.before, tt.limit, err, tt.badField)
		}
		if err == nil && p != tt.want {
			t.Errorf("ParsePage(%q, %q) = %+v, want %+v", tt.before, tt.limit, p, tt.want)
		}
	}
	p := Page{Limit: 3}
	if p.Next(3, 9) != 9 || p.Next(2, 9) != 0 {
		t.Errorf("Next: full page %d, short page %d", p.Next(3, 9), p.Next(2, 9))
	}
}
