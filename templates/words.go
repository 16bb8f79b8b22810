package templates

import (
	"fmt"

	"qrcircles"
)

// Localized is a value that writes itself in a language: a time (see At), a reason, an
// uptime. Words given as arguments are rendered the same way, through Say.
type Localized interface {
	In(lang string) string
}

// Say renders w in lang: its key is looked up in the pages' catalog, then in the root phrases
// (the sentences of the packages below the pages). Arguments that are Words or Localized are
// rendered in lang too; any other is formatted as it is (names, numbers, URLs). A key found in
// neither shows as itself, which the tests forbid.
func Say(lang string, w qrcircles.Words) string {
	if w.Zero() {
		return ""
	}
	format, ok := formatOf(lang, w.Key)
	if !ok {
		return w.Key
	}
	if len(w.Args) == 0 {
		return format
	}
	args := make([]any, len(w.Args))
	for i, a := range w.Args {
		switch v := a.(type) {
		case qrcircles.Words:
			args[i] = Say(lang, v)
		case Localized:
			args[i] = v.In(lang)
		default:
			args[i] = a
		}
	}
	return fmt.Sprintf(format, args...)
}

// formatOf is the format of key in lang, from the pages' catalog or the root phrases.
func formatOf(lang, key string) (string, bool) {
	texts, ok := catalog[key]
	if !ok {
		texts, ok = qrcircles.Phrase(key)
	}
	if !ok {
		return "", false
	}
	if lang == Chinese {
		return texts[1], true
	}
	return texts[0], true
}

// Verbatim is text shown as it is in every language: what a person wrote (a circle's title as
// the page's title), never a sentence of the product; or a Localized value, which writes itself.
func Verbatim(v any) qrcircles.Words { return qrcircles.Say("common.verbatim", v) }

// ErrorWords is what a page says of err: the error's own words; during an outage, that the
// service is briefly unavailable; for an internal error, only that something went wrong.
func ErrorWords(err error) qrcircles.Words {
	if err == nil {
		return qrcircles.Words{}
	}
	e := qrcircles.AnswerOf(err) // the words of the answer the API gives
	if e.Words.Zero() {
		return Verbatim(e.Message) // an error not yet given words; the translation test names it
	}
	return e.Words
}

// TitleOf is the title of the page that shows an error of code.
func TitleOf(code string) qrcircles.Words {
	switch code {
	case qrcircles.ENotFound:
		return qrcircles.Say("title.not_found")
	case qrcircles.EForbidden, qrcircles.EUnauthorized, qrcircles.EInsufficientScope:
		return qrcircles.Say("title.not_allowed")
	case qrcircles.EGone:
		return qrcircles.Say("title.closed")
	case qrcircles.EInvalid, qrcircles.EConflict:
		return qrcircles.Say("title.check")
	case qrcircles.ETooMany:
		return qrcircles.Say("title.wait")
	case qrcircles.EUnavailable:
		return qrcircles.Say("title.unavailable")
	case qrcircles.ETooLarge:
		return qrcircles.Say("error.too_large_title")
	case qrcircles.EUnsupported:
		return qrcircles.Say("error.unsupported_title")
	}
	return qrcircles.Say("error.title")
}
