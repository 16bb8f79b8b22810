package qrcircles

// The text rule: the one rule for text a person supplies, wherever it enters: JSON, forms,
// registration, cards, messages, circles, allowlists. Text is valid UTF-8, holds no NUL or
// other control character (newline and tab only where a field has several lines), and is at
// most a field's limit long, counted in characters. Both servers use it.

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextField is one kind of text: the name the API and the forms give it, its label for people in
// English and Chinese, its limit in characters, and whether it may have several lines.
type TextField struct {
	Name      string
	English   string
	Chinese   string
	Max       int
	Multiline bool
}

// The fields people fill. A field's English label means one Chinese label everywhere: the
// label's phrase is keyed by its English (see Words).
var (
	TextCircleTitle       = TextField{"title", "Title", "标题", 200, false}
	TextCircleDescription = TextField{"description", "Description", "内容", 5000, true}
	TextCircleLocation    = TextField{"location", "Location", "地点", 300, false}

	TextCardName    = TextField{"display_name", "Name", "姓名", 100, false}
	TextCardTitle   = TextField{"title", "Job title", "职位", 100, false}
	TextCardCompany = TextField{"company", "Company", "公司", 200, false}
	TextCardAddress = TextField{"address", "Address", "地址", 300, true}
	TextCardWebsite = TextField{"website", "Website", "网站", 300, false}
	TextCardNote    = TextField{"note", "Note", "备注", 1000, true}
	TextCardEmail   = TextField{"emails", "Email", "邮箱", 254, false}
	TextCardPhone   = TextField{"phones", "Phone", "电话", 40, false}

	// RegisterName is the name asked at registration: the card's name, as the form calls it.
	TextRegisterName = TextField{"name", "Name", "姓名", 100, false}

	TextMessageBody = TextField{"body", "Message", "消息", 2000, true}

	// AllowlistEntry is one phone of an invitee allowlist, as uploaded or pasted.
	TextAllowlistEntry = TextField{"allowlist", "Allowlist entry", "邀请名单条目", 40, false}
	// ExclusionPhone is the phone of a "never in the same circle as" entry.
	TextExclusionPhone = TextField{"phone", "Phone number", "手机号", 40, false}
)

var textFields = []TextField{TextCircleTitle, TextCircleDescription, TextCircleLocation, TextCardName, TextCardTitle, TextCardCompany,
	TextCardAddress, TextCardWebsite, TextCardNote, TextCardEmail, TextCardPhone, TextRegisterName, TextMessageBody, TextAllowlistEntry, TextExclusionPhone}

// TextFields lists every field of the text rule, for tests and documentation.
func TextFields() []TextField { return append([]TextField(nil), textFields...) }

// TextProblem is what is wrong with a text.
type TextProblem int

const (
	TextNotUTF8   TextProblem = iota + 1 // invalid UTF-8, or a JSON escape of half a character
	TextControl                          // a NUL or another control character
	TextLineBreak                        // a line break in a one-line field
	TextTooLong                          // more characters than the field allows
)

// TextError says which field's text is wrong, and how. Its message is English; Chinese has the
// same in Chinese.
type TextError struct {
	Field   TextField
	Problem TextProblem
	Rune    rune // the control character, for Control
	Count   int  // the characters the text has, for TooLong
}

// InvalidField names the field at fault the way the API does.
func (e *TextError) InvalidField() string { return e.Field.Name }

func (e *TextError) Error() string { return e.message(textFormats[e.Problem][0], e.Field.English) }

// Chinese is the message in Chinese.
func (e *TextError) Chinese() string { return e.message(textFormats[e.Problem][1], e.Field.Chinese) }

// Words is the message by key, for pages in either language.
func (e *TextError) Words() Words {
	label := Say(labelKey(e.Field.English))
	if e.Field.English == "" {
		label = Say("text.field", e.Field.Name)
	}
	switch e.Problem {
	case TextControl:
		return Say(textKeys[e.Problem], label, e.Rune)
	case TextTooLong:
		return Say(textKeys[e.Problem], label, e.Count, e.Field.Max)
	}
	return Say(textKeys[e.Problem], label)
}

// labelKey is the phrase key of a field's label.
func labelKey(english string) string { return "label." + english }

var textKeys = map[TextProblem]string{TextNotUTF8: "text.not_utf8", TextControl: "text.control", TextLineBreak: "text.line_break", TextTooLong: "text.too_long"}

// textPhrases are the text rule's messages and every field's label.
var textPhrases = func() map[string][2]string {
	out := map[string][2]string{"text.field": {"%s", "%s"}}
	for p, k := range textKeys {
		out[k] = textFormats[p]
	}
	for _, f := range append(TextFields(), wholeBody) {
		out[labelKey(f.English)] = [2]string{f.English, f.Chinese}
	}
	return out
}()

func (e *TextError) message(format, label string) string {
	if label == "" {
		label = e.Field.Name
	}
	switch e.Problem {
	case TextControl:
		return fmt.Sprintf(format, label, e.Rune)
	case TextTooLong:
		return fmt.Sprintf(format, label, e.Count, e.Field.Max)
	}
	return fmt.Sprintf(format, label)
}

// formats are the messages of each problem, English then Chinese; Chinese reads them back.
var textFormats = map[TextProblem][2]string{
	TextNotUTF8:   {"%s is not valid UTF-8 text.", "%s不是有效的 UTF-8 文本。"},
	TextControl:   {"%s contains a control character (U+%04X).", "%s含有控制字符（U+%04X）。"},
	TextLineBreak: {"%s must fit on one line.", "%s只能填写一行。"},
	TextTooLong:   {"%s has %d characters; at most %d are allowed.", "%s有 %d 个字符，最多允许 %d 个。"},
}

// Check accepts s as the field's text, or says what is wrong with it. It changes nothing:
// see Clean for trimming.
func (f TextField) Check(s string) error {
	if !utf8.ValidString(s) {
		return &TextError{Field: f, Problem: TextNotUTF8}
	}
	n := 0
	for _, r := range s {
		n++
		if p := f.refuses(r); p != 0 {
			return &TextError{Field: f, Problem: p, Rune: r}
		}
	}
	if f.Max > 0 && n > f.Max {
		return &TextError{Field: f, Problem: TextTooLong, Count: n}
	}
	return nil
}

// refuses says what is wrong with the character r in this field, or 0.
func (f TextField) refuses(r rune) TextProblem {
	switch {
	case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
		if f.Multiline && r == '\n' {
			return 0
		}
		if f.Multiline || r == '\u0085' {
			return TextControl // a multi-line field keeps its lines as \n alone
		}
		return TextLineBreak
	case r == '\t':
		if f.Multiline {
			return 0
		}
		return TextControl
	case unicode.IsControl(r):
		return TextControl
	}
	return 0
}

// Clean trims the spaces around s, turns the CRLF line ends a browser sends into LF in a
// multi-line field, and checks the result.
func (f TextField) Clean(s string) (string, error) {
	if f.Multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	s = strings.TrimSpace(s)
	return s, f.Check(s)
}

// At is the field as the i-th entry of a list ("emails[1]", from 0), for the error's path.
func (f TextField) At(i int) TextField {
	g := f
	g.Name = fmt.Sprintf("%s[%d]", f.Name, i)
	return g
}

// CheckAt checks the i-th entry of a list field.
func (f TextField) CheckAt(i int, s string) error { return f.At(i).Check(s) }
