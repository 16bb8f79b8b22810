package templates

import "strings"

// FieldList names card fields (as qrcircles.FieldSet.Names gives them) in a sentence of
// lang: "name, company and phone", "姓名、公司和电话".
func FieldList(lang string, names []string) string {
	words := make([]string, len(names))
	for i, n := range names {
		words[i] = T(lang, "fields."+n)
	}
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	last := len(words) - 1
	return T(lang, "fields.and", strings.Join(words[:last], T(lang, "fields.comma")), words[last])
}
