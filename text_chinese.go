package qrcircles

import (
	"regexp"
	"strconv"
	"strings"
)

// readers match the English messages, one per problem, with the label and numbers captured.
var textReaders = func() map[TextProblem]*regexp.Regexp {
	out := map[TextProblem]*regexp.Regexp{}
	verbs := strings.NewReplacer(`%s`, `(.+)`, `%d`, `([0-9]+)`, `%04X`, `([0-9A-F]+)`)
	for p, f := range textFormats {
		out[p] = regexp.MustCompile("^" + verbs.Replace(regexp.QuoteMeta(f[0])) + "$")
	}
	return out
}()

// chineseLabels maps each field's English label to its Chinese one.
var chineseLabels = func() map[string]string {
	out := map[string]string{}
	for _, f := range textFields {
		out[f.English] = f.Chinese
	}
	return out
}()

// TextChinese translates a message of the text rule's errors from its English, for pages that
// get only the message (the API's messages stay English); ok is false for any other text.
func TextChinese(english string) (string, bool) {
	for p, re := range textReaders {
		m := re.FindStringSubmatch(english)
		if m == nil {
			continue
		}
		label := m[1]
		e := &TextError{Field: TextField{Name: label, Chinese: label}, Problem: p}
		if zh, ok := chineseLabels[label]; ok {
			e.Field.Chinese = zh
		}
		switch p {
		case TextControl:
			r, err := strconv.ParseUint(m[2], 16, 32)
			if err != nil {
				return "", false
			}
			e.Rune = rune(r)
		case TextTooLong:
			count, err1 := strconv.Atoi(m[2])
			limit, err2 := strconv.Atoi(m[3])
			if err1 != nil || err2 != nil {
				return "", false
			}
			e.Count, e.Field.Max = count, limit
		}
		return e.Chinese(), true
	}
	return "", false
}
