package templates

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"qrcircles"
)

var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// argsFor are sample arguments for the verbs of format: a name for %s, a number for the rest.
func argsFor(format string) []any {
	var args []any
	for _, v := range qrcircles.Verbs(format) {
		if v == 's' || v == 'q' || v == 'v' {
			args = append(args, "Expo")
		} else {
			args = append(args, 7)
		}
	}
	return args
}

// TestEveryPageWordInChinese renders every key of the pages' catalog in Chinese: each says
// something in Chinese (or only punctuation), and nothing in English. The root phrases have
// their own test beside them.
func TestEveryPageWordInChinese(t *testing.T) {
	for k := range catalog {
		format, _ := formatOf(Chinese, k)
		zh := Say(Chinese, qrcircles.Say(k, argsFor(format)...))
		if !hasHan(zh) && strings.ContainsFunc(verbRE.ReplaceAllString(format, ""), unicode.IsLetter) {
			t.Errorf("%s: no Chinese in %q", k, zh)
		}
		for _, s := range LatinSentences(zh, "Expo") {
			t.Errorf("%s: English in Chinese: %q", k, s)
		}
		if en := Say(English, qrcircles.Say(k, argsFor(format)...)); strings.ContainsFunc(en, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%s: Chinese in English: %q", k, en)
		}
	}
}

// TestKeysAreInOneCatalog: a key of the pages' catalog is no root phrase, so a Words means one
// sentence wherever it is rendered.
func TestKeysAreInOneCatalog(t *testing.T) {
	for _, k := range qrcircles.PhraseKeys() {
		if _, ok := catalog[k]; ok {
			t.Errorf("%s is in both catalogs", k)
		}
	}
}

// TestLatinSentencesFindsALeak: the checker of the Chinese pages fails on an English sentence
// and passes codes, URLs, addresses and the names it is given.
func TestLatinSentencesFindsALeak(t *testing.T) {
	for _, c := range []struct {
		page  string
		leaks int
	}{
		{`<p>验证码不正确，还可尝试 4 次。</p>`, 0},
		{`<p class="error">That code is not right. 4 tries left.</p>`, 1},
		{`<p>验证码：That code is not right.</p>`, 1},
		{`<button title="Save to phone">保存</button>`, 1},
		{`<p>Saved</p>`, 1},
		{`<p>请以 E.164 格式填写</p>`, 0},
		{`<p>扫码加入 QR 码 · 导出 vCard、CSV、PNG · 短信 SMS</p>`, 0},
		{`<p>访问 https://qrc.example/c/AbC123?x=1 或 ann@acme.example，号码 +86 138 0013 8000</p>`, 0},
		{`<p>2026年5月1日 周五 19:30–21:00 (UTC+05:45)，U+0000，耗时 1.2ms</p>`, 0},
		{`<p>Bo Wang 向您递了名片</p><script>var x = "not shown";</script><code>live_events</code>`, 0},
		{`<a lang="en" href="/lang/en">English</a>`, 0},
	} {
		if got := LatinSentences(c.page, "Bo Wang"); len(got) != c.leaks {
			t.Errorf("%s: %q, want %d leaks", c.page, got, c.leaks)
		}
	}
}

func TestDatesInTheReadersLanguage(t *testing.T) {
	from := time.Date(2026, 5, 1, 11, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		w      qrcircles.Words
		en, zh string
	}{
		{At(from, "Asia/Shanghai"), "Fri 1 May 2026 19:30 (Asia/Shanghai)", "2026年5月1日 周五 19:30 (北京时间)"},
		{Between(from, from.Add(90*time.Minute), "Asia/Shanghai"), "Fri 1 May 2026 19:30–21:00 (Asia/Shanghai)", "2026年5月1日 周五 19:30–21:00 (北京时间)"},
		{Between(from, from.Add(6*time.Hour), "Asia/Tokyo"), "Fri 1 May 2026 20:30 – Sat 2 May 2026 02:30 (Asia/Tokyo)",
			"2026年5月1日 周五 20:30 – 2026年5月2日 周六 02:30 (东京时间)"},
		{At(from, "Asia/Kathmandu"), "Fri 1 May 2026 17:15 (Asia/Kathmandu)", "2026年5月1日 周五 17:15 (UTC+05:45)"},
		{At(from, "America/St_Johns"), "Fri 1 May 2026 09:00 (America/St_Johns)", "2026年5月1日 周五 09:00 (UTC-02:30)"},
		{At(from, "Nowhere/Special"), "Fri 1 May 2026 11:30 (UTC)", "2026年5月1日 周五 11:30 (协调世界时)"},
		{Between(time.Time{}, from, "UTC"), "Fri 1 May 2026 11:30 (UTC)", "2026年5月1日 周五 11:30 (协调世界时)"},
		{At(time.Time{}, "UTC"), "", ""},
	} {
		if en, zh := Say(English, c.w), Say(Chinese, c.w); en != c.en || zh != c.zh {
			t.Errorf("got %q / %q, want %q / %q", en, zh, c.en, c.zh)
		}
	}
}

func TestErrorWords(t *testing.T) {
	unknown := qrcircles.Fail(qrcircles.ENotFound, "web.unknown_code")
	for _, c := range []struct {
		err  error
		want string
	}{
		{unknown, "没有与此二维码对应的圈子。请确认扫描了完整的二维码，或询问组织者。"},
		{qrcircles.Errorf(qrcircles.EInternal, "secret detail"), "服务器出错了，请重试。"},
		{errOutage{}, "服务暂时无法使用，请稍后重试。"},
		{nil, ""},
	} {
		if got := Say(Chinese, ErrorWords(c.err)); got != c.want {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
}

type errOutage struct{}

func (errOutage) Error() string     { return "database down" }
func (errOutage) Unavailable() bool { return true }
