package templates

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"qrcircles"
)

// The languages of the pages. English is the default.
const (
	English = "en"
	Chinese = "zh-Hans"
)

// LangCookie holds the language a person chose with the switcher; it wins over Accept-Language.
const LangCookie = "qrc_lang"

// Supported reports whether code is a page language, exactly as written in <html lang>.
func Supported(code string) bool { return code == English || code == Chinese }

// Negotiate returns the language of the page for r: the switcher's cookie if it names a page
// language, else the best match of Accept-Language, else English.
func Negotiate(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil && Supported(c.Value) {
		return c.Value
	}
	return FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// FromAcceptLanguage picks en or zh-Hans from an Accept-Language header: the supported
// language with the highest weight, the earlier one on a tie; English when none matches.
func FromAcceptLanguage(header string) string {
	type cand struct {
		lang string
		q    float64
		pos  int
	}
	var cands []cand
	for i, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		tag := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, f := range fields[1:] {
			f = strings.TrimSpace(f)
			if v, ok := strings.CutPrefix(f, "q="); ok {
				if p, err := strconv.ParseFloat(v, 64); err == nil {
					q = p
				} else {
					q = 0
				}
			}
		}
		if q <= 0 {
			continue
		}
		var lang string
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			lang = Chinese
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			lang = English
		default:
			continue
		}
		cands = append(cands, cand{lang, q, i})
	}
	if len(cands) == 0 {
		return English
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].q > cands[b].q })
	return cands[0].lang
}

// SwitchLang serves GET /lang/{code}?return_to=/path: it remembers the language in the
// cookie for a year and sends the browser back to return_to, a path on this site only.
func SwitchLang(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimPrefix(r.URL.Path, "/lang/")
	if !Supported(code) {
		http.NotFound(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, SafeReturnTo(r.URL.Query().Get("return_to")), http.StatusSeeOther)
}

// SafeReturnTo accepts only a path on this site: "/x?y", never "//host", "/\host" or a URL;
// anything else becomes "/".
func SafeReturnTo(raw string) string {
	if raw == "" || raw[0] != '/' || strings.HasPrefix(raw, "//") || strings.HasPrefix(raw, "/\\") ||
		strings.ContainsAny(raw, "\r\n\t\\") {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.IsAbs() || u.Host != "" {
		return "/"
	}
	return raw
}

// SwitchURL is the switcher's link from a page at path to the language other than lang.
func SwitchURL(lang, path string) string {
	other := Chinese
	if lang == Chinese {
		other = English
	}
	return "/lang/" + other + "?return_to=" + url.QueryEscape(SafeReturnTo(path))
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Split cuts a message written "English / 中文" into its two halves; ok is false when s is
// not such a message.
func Split(s string) (en, zh string, ok bool) {
	for i := 0; i+3 <= len(s); i++ {
		if s[i:i+3] != " / " {
			continue
		}
		if left, right := s[:i], s[i+3:]; !hasHan(left) && hasHan(right) {
			return left, right, true
		}
	}
	return s, "", false
}

// Localize returns the half of a bilingual "English / 中文" message in lang; an English-only
// message is translated when the catalog knows it, else shown as it is.
func Localize(s, lang string) string {
	if en, zh, ok := Split(s); ok {
		if lang == Chinese {
			return zhDates(zh)
		}
		return en
	}
	if lang != Chinese || s == "" {
		return s
	}
	if zh, ok := messagesZH[s]; ok {
		return zh
	}
	if zh, ok := qrcircles.TextChinese(s); ok {
		return zh
	}
	if dateRE.MatchString(s) {
		return zhDates(s)
	}
	for _, p := range patternsZH {
		if m := p.re.FindStringSubmatch(s); m != nil {
			out := p.zh
			for i, g := range m[1:] {
				out = strings.ReplaceAll(out, "$"+strconv.Itoa(i+1), localizeWait(g))
			}
			return out
		}
	}
	return s
}

func localizeWait(s string) string {
	if n, ok := strings.CutSuffix(s, " min"); ok {
		return n + " 分钟"
	}
	if n, ok := strings.CutSuffix(s, " s"); ok {
		return n + " 秒"
	}
	return s
}

// messagesZH translates the English-only messages that shared packages (also used by the
// JSON API, whose messages stay English) put on pages.
var messagesZH = map[string]string{
	"Enter your phone number.": "请输入手机号。",
	"This is not a valid phone number. Check the digits, and start with + and the country code if it is from another country.": "手机号无效。请检查号码；其他国家或地区的号码请以 + 和国家代码开头。",
	"This code has expired. Request a new one.":                                                                  "验证码已过期，请重新获取。",
	"This code has already been used. Request a new one.":                                                        "验证码已使用，请重新获取。",
	"Too many wrong codes. Request a new one.":                                                                   "错误次数过多，请重新获取验证码。",
	"We cannot send or check SMS codes right now. Please try again in a few minutes.":                            "暂时无法发送或验证短信验证码，请几分钟后重试。",
	"Something went wrong on our side. Please try again.":                                                        "服务器出错了，请重试。",
	"Something went wrong. Please try again.":                                                                    "出错了，请重试。",
	"The service is briefly unavailable. Please try again in a moment.":                                          "服务暂时无法使用，请稍后重试。",
	"Choose an image to upload.":                                                                                 "请选择要上传的图片。",
	"The image is larger than 2 MB.":                                                                             "图片超过 2 MB。",
	"The image has too many pixels.":                                                                             "图片像素过多。",
	"Enter the name to show on your card.":                                                                       "请输入名片上显示的姓名。",
	"Write the phone number with + and the country code, for example +8613800138000.":                            "手机号请以 + 和国家代码开头，例如 +8613800138000。",
	"Write the email address as name@example.com.":                                                               "邮箱格式应为 name@example.com。",
	"Write the website as an address starting with https:// or http://.":                                         "网站地址须以 https:// 或 http:// 开头。",
	"This phone number is too short. Check the digits.":                                                          "手机号太短，请检查号码。",
	"This phone number is too long. Check the digits.":                                                           "手机号太长，请检查号码。",
	"This does not look like a phone number. Enter digits only, for example 138 0013 8000 or +86 138 0013 8000.": "这不像手机号。请只输入数字，例如 138 0013 8000 或 +86 138 0013 8000。",
	"The country code is not known. Start with + and the country code, for example +86.":                         "国家代码无法识别。请以 + 和国家代码开头，例如 +86。",
}

var patternsZH = []struct {
	re *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`^Too many codes for this number\. Try again in (.+)\.$`), "该号码获取验证码次数过多，请 $1后重试。"},
	{regexp.MustCompile(`^Too many codes were requested from your network\. Try again in (.+)\.$`), "您的网络请求验证码次数过多，请 $1后重试。"},
	{regexp.MustCompile(`^Too many tries from your network\. Try again in (.+)\.$`), "您的网络尝试次数过多，请 $1后重试。"},
	{regexp.MustCompile(`^We are sending too many codes right now\. Try again in (.+)\.$`), "当前发送的验证码过多，请 $1后重试。"},
}

// titlesZH translates the fixed page titles the handlers pass; any other title (a circle's
// own title, written by its organizer) is shown as it is, even if it looks bilingual.
var titlesZH = map[string]string{
	"QR Circles": "二维码好友圈", "Your account": "我的账户", "My card": "我的名片", "New circle": "新建二维码好友圈",
	"Allow access": "授权访问", "Sign in": "登录", "Enter the code": "输入验证码", "Consent": "授权",
	"Not joined": "未加入", "Scan again": "请重新扫码", "Something went wrong": "出错了", "My circles": "我的圈子",
	"Your name": "您的姓名", "Settings": "设置", "Not found": "未找到", "Not allowed": "无权访问", "Closed": "已关闭",
	"Please check": "请检查", "Please wait": "请稍候", "Temporarily unavailable": "暂时无法使用", "Health": "运行状况", "Card requests": "名片请求",
	"Sign out": "退出登录", "Signed out": "已退出登录", "Account deleted": "账户已删除",
}

// LocalizeTitle returns a page title in lang: the fixed titles (plain English, or written
// "English / 中文") are translated, "Manage: …" keeps the circle's title, the rest is kept.
func LocalizeTitle(s, lang string) string {
	if en, zh, ok := Split(s); ok {
		if _, known := titlesZH[en]; known {
			if lang == Chinese {
				return zh
			}
			return en
		}
	}
	if lang != Chinese {
		return s
	}
	if zh, ok := titlesZH[s]; ok {
		return zh
	}
	if rest, ok := strings.CutPrefix(s, "Manage: "); ok {
		return "管理：" + rest
	}
	return s
}

// PathOf is where the switcher on the page answering r comes back to: the page itself for a
// GET, else the page the form was on (the Referer, when it is on this site), else "/".
func PathOf(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return SafeReturnTo(r.URL.RequestURI())
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
		return SafeReturnTo(ref.RequestURI())
	}
	return "/"
}

// Prepare fills the page's language, path and signed-in person from the request, unless
// already set.
func (p *Page) Prepare(r *http.Request) {
	if !Supported(p.Lang) {
		p.Lang = Negotiate(r)
	}
	if p.Path == "" {
		p.Path = PathOf(r)
	}
	if p.Viewer == nil {
		p.Viewer = viewerOf(r)
	}
}

// dateRE matches the times the pages show, "Fri 1 May 2026 19:30", always in the event's
// own time zone, which follows in parentheses.
var dateRE = regexp.MustCompile(`\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}:\d{2})\b`)

var (
	zhWeekdays = map[string]string{"Mon": "周一", "Tue": "周二", "Wed": "周三", "Thu": "周四", "Fri": "周五", "Sat": "周六", "Sun": "周日"}
	zhMonths   = map[string]string{"Jan": "1", "Feb": "2", "Mar": "3", "Apr": "4", "May": "5", "Jun": "6", "Jul": "7", "Aug": "8", "Sep": "9", "Oct": "10", "Nov": "11", "Dec": "12"}
)

// zhDates writes the times in s the Chinese way: "2026年5月1日 周五 19:30".
func zhDates(s string) string {
	return dateRE.ReplaceAllStringFunc(s, func(m string) string {
		g := dateRE.FindStringSubmatch(m)
		return g[4] + "年" + zhMonths[g[3]] + "月" + g[2] + "日 " + zhWeekdays[g[1]] + " " + g[5]
	})
}
