package qrcircles

// errorPhrases are the sentences of the root's and storage's own errors.
var errorPhrases = map[string][2]string{
	"storage.conflict":   {"This has already been done.", "此操作已完成。"},
	"card.unknown_field": {"%q is not a card field; use all, basic, or some of %s.", "%q 不是名片字段；请使用 all、basic 或以下字段之一：%s。"},
}
