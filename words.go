package qrcircles

// Words: every sentence shown to a person is kept by key until it is shown, so that a page
// renders it in its reader's language and the API in English. Nothing is ever translated by
// matching an English sentence: a sentence without a key cannot be shown in Chinese.

import (
	"fmt"
	"strings"
)

// The languages of the catalog, exactly as written in <html lang>.
const (
	LangEnglish = "en"
	LangChinese = "zh-Hans"
)

// Words is a sentence for a person: a key into the phrase catalog and the arguments of its
// format. An argument that is itself Words (a field's label, a wait) is rendered in the same
// language; any other argument is formatted as it is (names, numbers, phone numbers, URLs).
type Words struct {
	Key  string
	Args []any
}

// Say returns the Words of key with args.
func Say(key string, args ...any) Words { return Words{Key: key, Args: args} }

// Zero reports whether w holds no sentence.
func (w Words) Zero() bool { return w.Key == "" }

// In renders w in lang; English for any language but Chinese. A key missing from the catalog
// shows as itself, which the tests forbid.
func (w Words) In(lang string) string {
	if w.Key == "" {
		return ""
	}
	texts, ok := phrases[w.Key]
	if !ok {
		return w.Key
	}
	format := texts[0]
	if lang == LangChinese {
		format = texts[1]
	}
	if len(w.Args) == 0 {
		return format
	}
	args := make([]any, len(w.Args))
	for i, a := range w.Args {
		if inner, ok := a.(Words); ok {
			args[i] = inner.In(lang)
		} else {
			args[i] = a
		}
	}
	return fmt.Sprintf(format, args...)
}

// English is w in English: the API's messages and the logs.
func (w Words) English() string { return w.In(LangEnglish) }

// Phrase returns the catalog entry of key, English then Chinese.
func Phrase(key string) ([2]string, bool) {
	p, ok := phrases[key]
	return p, ok
}

// PhraseKeys lists every key of the catalog, for tests that render each one.
func PhraseKeys() []string {
	out := make([]string, 0, len(phrases))
	for k := range phrases {
		out = append(out, k)
	}
	return out
}

// JoinPhrases joins phrase tables into one, and panics at start on a key in two of them or on
// an entry whose two languages take different arguments.
func JoinPhrases(tables ...map[string][2]string) map[string][2]string {
	out := make(map[string][2]string)
	for _, t := range tables {
		for k, v := range t {
			if _, dup := out[k]; dup {
				panic("qrcircles: phrase key in two tables: " + k)
			}
			if Verbs(v[0]) != Verbs(v[1]) {
				panic("qrcircles: phrase " + k + " takes different arguments in its two languages")
			}
			out[k] = v
		}
	}
	return out
}

// Verbs is the sequence of formatting verbs of a format ("sd" for "%s has %d"), to compare
// two languages' formats and to make sample arguments in tests.
func Verbs(format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("0123456789.+-# ", format[i]) >= 0 {
			i++
		}
		if i < len(format) && format[i] != '%' {
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// phrases is the catalog of the sentences that packages below the pages produce: errors,
// form errors, SMS texts. A feature keeps its phrases in a table of its own file (words_*.go)
// and adds the table here; the pages' own words are in the templates' catalog.
var phrases = JoinPhrases(commonPhrases, textPhrases, circlePhrases, admissionPhrases, cardPhrases, messagePhrases, apiPhrases, healthPhrases,
	webPhrases, signinPhrases, oauthPhrases, errorPhrases, messagesWebPhrases)

// commonPhrases are the sentences any package may say.
var commonPhrases = map[string][2]string{
	"error.internal":    {"Something went wrong on our side. Please try again.", "服务器出错了，请重试。"},
	"error.unavailable": {"The service is briefly unavailable. Please try again in a moment.", "服务暂时无法使用，请稍后重试。"},
	"error.not_found":   {"Not found.", "未找到。"},
	"wait.seconds":      {"%d s", "%d 秒"},
	"wait.minutes":      {"%d min", "%d 分钟"},
}
