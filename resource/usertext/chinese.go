package usertext

import (
	"regexp"
	"strconv"
	"strings"
)

// readers match the English messages, one per problem, with the label and numbers captured.
var readers = func() map[Problem]*regexp.Regexp {
	out := map[Problem]*regexp.Regexp{}
	verbs := strings.NewReplacer(`%s`, `(.+)`, `%d`, `([0-9]+)`, `%04X`, `([0-9A-F]+)`)
	for p, f := range formats {
		out[p] = regexp.MustCompile("^" + verbs.Replace(regexp.QuoteMeta(f[0])) + "$")
	}
	return out
}()

// chineseLabels maps each field's English label to its Chinese one.
var chineseLabels = func() map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		out[f.English] = f.Chinese
	}
	return out
}()

// Chinese translates a message of this package's errors from its English, for pages that
// get only the message (the API's messages stay English); ok is false for any other text.
func Chinese(english string) (string, bool) {
	for p, re := range readers {
		m := re.FindStringSubmatch(english)
		if m == nil {
			continue
		}
		label := m[1]
		e := &Error{Field: Field{Name: label, Chinese: label}, Problem: p}
		if zh, ok := chineseLabels[label]; ok {
			e.Field.Chinese = zh
		}
		switch p {
		case Control:
			r, err := strconv.ParseUint(m[2], 16, 32)
			if err != nil {
				return "", false
			}
			e.Rune = rune(r)
		case TooLong:
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
