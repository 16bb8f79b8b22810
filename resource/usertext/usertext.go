// Package usertext is the one rule for text a person supplies, wherever it enters: JSON,
// forms, registration, cards, messages, circles, allowlists. Text is valid UTF-8, holds no
// NUL or other control character (newline and tab only where a field has several lines), and
// is at most a field's limit long, counted in characters. It is pure and uses the standard
// library only, so that both servers use it.
package usertext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field is one kind of text: the name the API and the forms give it, its label for people in
// English and Chinese, its limit in characters, and whether it may have several lines.
type Field struct {
	Name      string
	English   string
	Chinese   string
	Max       int
	Multiline bool
}

// The fields people fill. A field's English label means one Chinese label everywhere, so
// that a message can be translated from its English alone (see Chinese).
var (
	CircleTitle       = Field{"title", "Title", "标题", 200, false}
	CircleDescription = Field{"description", "Description", "内容", 5000, true}
	CircleLocation    = Field{"location", "Location", "地点", 300, false}

	CardName    = Field{"display_name", "Name", "姓名", 100, false}
	CardTitle   = Field{"title", "Job title", "职位", 100, false}
	CardCompany = Field{"company", "Company", "公司", 200, false}
	CardAddress = Field{"address", "Address", "地址", 300, true}
	CardWebsite = Field{"website", "Website", "网站", 300, false}
	CardNote    = Field{"note", "Note", "备注", 1000, true}
	CardEmail   = Field{"emails", "Email", "邮箱", 254, false}
	CardPhone   = Field{"phones", "Phone", "电话", 40, false}

	// RegisterName is the name asked at registration: the card's name, as the form calls it.
	RegisterName = Field{"name", "Name", "姓名", 100, false}

	MessageBody = Field{"body", "Message", "消息", 2000, true}

	// AllowlistEntry is one phone of an invitee allowlist, as uploaded or pasted.
	AllowlistEntry = Field{"allowlist", "Allowlist entry", "邀请名单条目", 40, false}
	// ExclusionPhone is the phone of a "never in the same circle as" entry.
	ExclusionPhone = Field{"phone", "Phone number", "手机号", 40, false}
)

var fields = []Field{CircleTitle, CircleDescription, CircleLocation, CardName, CardTitle, CardCompany,
	CardAddress, CardWebsite, CardNote, CardEmail, CardPhone, RegisterName, MessageBody, AllowlistEntry, ExclusionPhone}

// Fields lists every field of this package, for tests and documentation.
func Fields() []Field { return append([]Field(nil), fields...) }

// Problem is what is wrong with a text.
type Problem int

const (
	NotUTF8   Problem = iota + 1 // invalid UTF-8, or a JSON escape of half a character
	Control                      // a NUL or another control character
	LineBreak                    // a line break in a one-line field
	TooLong                      // more characters than the field allows
)

// Error says which field's text is wrong, and how. Its message is English; Chinese has the
// same in Chinese.
type Error struct {
	Field   Field
	Problem Problem
	Rune    rune // the control character, for Control
	Count   int  // the characters the text has, for TooLong
}

// InvalidField names the field at fault the way the API does.
func (e *Error) InvalidField() string { return e.Field.Name }

func (e *Error) Error() string { return e.message(formats[e.Problem][0], e.Field.English) }

// Chinese is the message in Chinese.
func (e *Error) Chinese() string { return e.message(formats[e.Problem][1], e.Field.Chinese) }

func (e *Error) message(format, label string) string {
	if label == "" {
		label = e.Field.Name
	}
	switch e.Problem {
	case Control:
		return fmt.Sprintf(format, label, e.Rune)
	case TooLong:
		return fmt.Sprintf(format, label, e.Count, e.Field.Max)
	}
	return fmt.Sprintf(format, label)
}

// formats are the messages of each problem, English then Chinese; Chinese reads them back.
var formats = map[Problem][2]string{
	NotUTF8:   {"%s is not valid UTF-8 text.", "%s不是有效的 UTF-8 文本。"},
	Control:   {"%s contains a control character (U+%04X).", "%s含有控制字符（U+%04X）。"},
	LineBreak: {"%s must fit on one line.", "%s只能填写一行。"},
	TooLong:   {"%s has %d characters; at most %d are allowed.", "%s有 %d 个字符，最多允许 %d 个。"},
}

// Check accepts s as the field's text, or says what is wrong with it. It changes nothing:
// see Clean for trimming.
func (f Field) Check(s string) error {
	if !utf8.ValidString(s) {
		return &Error{Field: f, Problem: NotUTF8}
	}
	n := 0
	for _, r := range s {
		n++
		if p := f.refuses(r); p != 0 {
			return &Error{Field: f, Problem: p, Rune: r}
		}
	}
	if f.Max > 0 && n > f.Max {
		return &Error{Field: f, Problem: TooLong, Count: n}
	}
	return nil
}

// refuses says what is wrong with the character r in this field, or 0.
func (f Field) refuses(r rune) Problem {
	switch {
	case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
		if f.Multiline && r == '\n' {
			return 0
		}
		if f.Multiline || r == '\u0085' {
			return Control // a multi-line field keeps its lines as \n alone
		}
		return LineBreak
	case r == '\t':
		if f.Multiline {
			return 0
		}
		return Control
	case unicode.IsControl(r):
		return Control
	}
	return 0
}

// Clean trims the spaces around s, turns the CRLF line ends a browser sends into LF in a
// multi-line field, and checks the result.
func (f Field) Clean(s string) (string, error) {
	if f.Multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	s = strings.TrimSpace(s)
	return s, f.Check(s)
}

// At is the field as the i-th entry of a list ("emails[1]", from 0), for the error's path.
func (f Field) At(i int) Field {
	g := f
	g.Name = fmt.Sprintf("%s[%d]", f.Name, i)
	return g
}

// CheckAt checks the i-th entry of a list field.
func (f Field) CheckAt(i int, s string) error { return f.At(i).Check(s) }
