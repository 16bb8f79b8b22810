package qrcircles

import (
	"strings"
	"testing"
)

// sampleArgs are arguments for format's verbs that hold no Latin letter themselves.
func sampleArgs(format string) []any {
	var args []any
	for _, v := range Verbs(format) {
		switch v {
		case 'd', 'X':
			args = append(args, 5)
		default:
			args = append(args, "甲")
		}
	}
	return args
}

// TestSignInAndClientPhrasesInChinese renders every phrase of sign-in, clients and the root's
// errors in Chinese: none may hold an English sentence, and none may fail to format.
func TestSignInAndClientPhrasesInChinese(t *testing.T) {
	for _, table := range []map[string][2]string{signinPhrases, oauthPhrases, errorPhrases} {
		for key, texts := range table {
			zh := Say(key, sampleArgs(texts[1])...).In(LangChinese)
			if bad := englishIn(zh); bad != "" || strings.Contains(zh, "%!") {
				t.Errorf("%s in Chinese: %q (English: %q)", key, zh, bad)
			}
			if en := Say(key, sampleArgs(texts[0])...).English(); strings.Contains(en, "%!") || en == key {
				t.Errorf("%s in English: %q", key, en)
			}
		}
	}
}

// TestOutagesAndInternalErrorsSpeakTheReadersLanguage: what an outage or an internal error
// is answered with has Words, so that a page shows it in its reader's language, while the
// API's detail stays English.
func TestOutagesAndInternalErrorsSpeakTheReadersLanguage(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		zh, en string
	}{
		{"an outage", outage{}, "服务暂时无法使用，请稍后重试。", "The service is briefly unavailable. Please try again in a moment."},
		{"an outage behind not found", Fail(ENotFound, "error.not_found").WithCause(outage{}), "服务暂时无法使用，请稍后重试。", "The service is briefly unavailable. Please try again in a moment."},
		{"an internal error", errorString("boom"), "服务器出错了，请重试。", "Something went wrong on our side. Please try again."},
		{"an unknown code", &Error{Code: "teapot", Message: "I am a teapot"}, "服务器出错了，请重试。", "Something went wrong on our side. Please try again."},
		{"a conflict", Fail(EConflict, "storage.conflict"), "此操作已完成。", "This has already been done."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := AnswerOf(tt.err)
			if got := e.In(LangChinese); got != tt.zh {
				t.Errorf("Chinese %q, want %q", got, tt.zh)
			}
			if got := ProblemOf(tt.err).Detail; got != tt.en || e.In(LangEnglish) != tt.en {
				t.Errorf("detail %q, English %q, want %q", got, e.In(LangEnglish), tt.en)
			}
		})
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// TestWithCauseLeavesTheSharedErrorAlone: a shared error given a cause is copied, so the
// next one to use it does not inherit the cause.
func TestWithCauseLeavesTheSharedErrorAlone(t *testing.T) {
	shared := Fail(EGone, "error.not_found")
	got := shared.WithCause(outage{})
	if shared.Err != nil || got.Err == nil || got.Words.Key != shared.Words.Key || CodeOf(got) != EUnavailable {
		t.Fatalf("shared %+v, copy %+v", shared, got)
	}
}

func TestUnknownCardFieldInChinese(t *testing.T) {
	_, err := ParseFields([]string{"shoe_size"}, "fields")
	e, ok := ErrorOf(err)
	if !ok || e.Field != "fields" || e.In(LangChinese) != `"shoe_size" 不是名片字段；请使用 all、basic 或以下字段之一：`+strings.Join(FieldsAll.Names(), ", ")+"。" {
		t.Fatalf("%+v: %q", e, e.In(LangChinese))
	}
}

// TestTextErrorsNameTheirFieldInChinese: every field's label, the request body's included, is
// in the catalog, so no text error shows a key.
func TestTextErrorsNameTheirFieldInChinese(t *testing.T) {
	for _, f := range append(TextFields(), wholeBody) {
		e := &TextError{Field: f, Problem: TextNotUTF8}
		if zh := e.Words().In(LangChinese); zh != f.Chinese+"不是有效的 UTF-8 文本。" {
			t.Errorf("%s: %q", f.English, zh)
		}
	}
	e, _ := ErrorOf(CheckTextJSON([]byte("\"\\udc00\"")))
	if zh := e.In(LangChinese); zh != "请求正文不是有效的 UTF-8 文本。" {
		t.Errorf("a bad JSON body in Chinese: %q", zh)
	}
}

// An unavailable error with only an English message (the API's own) is told on a page as the
// outage it is, while the API keeps its message.
func TestUnavailableWithoutWordsSpeaksOnPages(t *testing.T) {
	err := &Error{Code: EUnavailable, Message: "The server is shutting down."}
	if got := AnswerOf(err).In(LangChinese); got != "服务暂时无法使用，请稍后重试。" {
		t.Errorf("Chinese %q", got)
	}
	if got := ProblemOf(err).Detail; got != "The server is shutting down." {
		t.Errorf("detail %q", got)
	}
}
