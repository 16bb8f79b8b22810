package qrcircles

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// latinTokens are the Latin words a Chinese sentence may hold: names of formats, protocols
// and units that Chinese text writes in Latin letters too. Each is a whole token.
var latinTokens = []string{"https://", "http://", "UTF-8", "E.164", "JavaScript", "vCard", "OAuth", "QR", "SMS", "URL",
	"CSV", "PNG", "JPEG", "GIF", "MB", "KB", "JSON", "API", "ID"}

var (
	// formatVerb is a formatting verb of a phrase: its argument is a value, not words.
	formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	// latinWord is a word written in Latin letters: an identifier, a header's name, a
	// command, or a word of an English sentence.
	latinWord = `[A-Za-z][A-Za-z0-9_\-./@'+]*`
	// latinRun is two Latin words with nothing but spaces and ASCII punctuation between:
	// the beginning of an English sentence.
	latinRun = regexp.MustCompile(latinWord + `[ \t,;:!?"()]+` + latinWord)
	tokenRE  = func() *regexp.Regexp {
		quoted := make([]string, len(latinTokens))
		for i, t := range latinTokens {
			quoted[i] = regexp.QuoteMeta(t)
		}
		return regexp.MustCompile(`(^|[^A-Za-z0-9])(` + strings.Join(quoted, "|") + `)([^A-Za-z0-9]|$)`)
	}()
)

// englishIn returns the first run of two Latin words in a Chinese phrase, "" when there is
// none. Formatting verbs and the allowed tokens break runs: "%s 或 PNG" holds no English.
func englishIn(zh string) string {
	s := formatVerb.ReplaceAllString(zh, "〇")
	for { // tokens next to each other share their boundary: replace until none is left
		next := tokenRE.ReplaceAllString(s, "${1}〇${3}")
		if next == s {
			break
		}
		s = next
	}
	return latinRun.FindString(s)
}

// The checker itself: it finds English sentences and lets names, codes and verbs be.
func TestEnglishIn(t *testing.T) {
	tests := []struct {
		zh, want string
	}{
		{"Write a message.", "Write a"},
		{"请运行 qrcircles migrate up", "qrcircles migrate"},
		{"请发送：Authorization: Bearer TOKEN。", "Authorization: Bearer"},
		{"%s is not valid", "is not"},
		{"这不是 PNG、JPEG 或 GIF 图片。", ""},
		{"Last-Event-ID 应为事件 ID。", ""},
		{"请以 + 和国家代码开头填写手机号，例如 +8613800138000。", ""},
		{"请按 RFC 3339 格式填写 %s，例如 2026-05-01T09:00:00+08:00。", ""},
		{"请填写以 https:// 或 http:// 开头的网址。", ""},
		{"vCard CSV JSON", ""},
		{"%s：%s", ""},
		{"用户 ID %d 不在 ID 范围 %s 内", ""},
	}
	for _, tt := range tests {
		if got := englishIn(tt.zh); got != tt.want {
			t.Errorf("englishIn(%q) = %q, want %q", tt.zh, got, tt.want)
		}
	}
}

// Every phrase of the catalog reads in both languages: English is there, the Chinese holds
// no English sentence, and both take the same arguments in the same order. A phrase whose
// English has words (more than verbs and tokens) has Chinese of its own.
func TestEveryPhraseInBothLanguages(t *testing.T) {
	keys := PhraseKeys()
	sort.Strings(keys)
	if len(keys) == 0 {
		t.Fatal("the catalog is empty")
	}
	for _, k := range keys {
		p, ok := Phrase(k)
		if !ok {
			t.Fatalf("PhraseKeys lists %q, Phrase does not know it", k)
		}
		en, zh := p[0], p[1]
		switch {
		case strings.TrimSpace(en) == "":
			t.Errorf("%s: no English", k)
		case strings.TrimSpace(zh) == "":
			t.Errorf("%s: no Chinese", k)
		case Verbs(en) != Verbs(zh):
			t.Errorf("%s: English takes %q, Chinese %q", k, Verbs(en), Verbs(zh))
		case englishIn(zh) != "":
			t.Errorf("%s: Chinese %q holds English %q", k, zh, englishIn(zh))
		case en == zh && englishIn(en+" "+en) != "":
			t.Errorf("%s: Chinese is the English %q", k, en)
		}
	}
}

// Words render their arguments in their own language, Words among them: a list of
// alternatives and a nested phrase read as one sentence in each language.
func TestWordsRenderNestedArguments(t *testing.T) {
	w := Say("admission.explain.prefix", "+86 150 •••• 1234", Either("+86 138", "+86 139", "+1 415"))
	if got := w.In(LangEnglish); got != "Phone +86 150 •••• 1234 is outside the prefix +86 138 or +86 139 or +1 415" {
		t.Errorf("en = %q", got)
	}
	if got := w.In(LangChinese); got != "手机号 +86 150 •••• 1234 不在号段 +86 138、+86 139、+1 415 内" {
		t.Errorf("zh = %q", got)
	}
	if got := Say("api.need_scope", Either("cards:read")).In(LangChinese); got != "此操作需要权限范围 cards:read。" {
		t.Errorf("one alternative: %q", got)
	}
	e := Fail(EForbidden, "circles.members_only")
	if e.Message != "Only the circle's members see inside it." || e.In(LangChinese) != "只有圈子的成员能看到圈内内容。" {
		t.Errorf("Fail: %q / %q", e.Message, e.In(LangChinese))
	}
}

// keyLiteral is a phrase key written in the code, of the tables whose keys read like this;
// one ending in a dot is the start of a key made at run time (admission.reason.<code>).
var keyLiteral = regexp.MustCompile(`"((?:circles|admission|cards|messages|api|checks|person|list)\.[a-z_.]*)"`)

// Every key the code of the domain and the resource server names is in the catalog: a key
// missing from it would show as itself.
func TestEveryKeyInTheCodeIsAPhrase(t *testing.T) {
	found := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && !within(path, "resource") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range keyLiteral.FindAllStringSubmatch(string(src), -1) {
			key := m[1]
			if strings.HasSuffix(key, ".") {
				continue
			}
			found++
			if _, ok := Phrase(key); !ok {
				t.Errorf("%s names %q, which is not in the catalog", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Fatalf("found %d keys in the code: the pattern no longer matches how keys are written", found)
	}
}
