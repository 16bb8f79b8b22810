package authz_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"qrcircles/storage/storagetest"
	"qrcircles/templates"
)

var (
	errorRe = regexp.MustCompile(`<p class="error" role="alert">([^<]*)</p>`)
	titleRe = regexp.MustCompile(`<title>([^<]*)</title>`)
)

// inChinese makes the browser read the pages in Chinese, as the language switcher does.
func (b *browser) inChinese() *browser {
	u, _ := url.Parse(b.h.issuer)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: templates.LangCookie, Value: templates.Chinese}})
	return b
}

// wantPage fails unless p shows exactly the error and its title begins with title.
func wantPage(t *testing.T, p page, status int, title, wantError string) {
	t.Helper()
	got := ""
	if m := errorRe.FindStringSubmatch(p.body); m != nil {
		got = html.UnescapeString(m[1])
	}
	tm := titleRe.FindStringSubmatch(p.body)
	if p.status != status || got != wantError || tm == nil || !strings.HasPrefix(html.UnescapeString(tm[1]), title) {
		t.Fatalf("%s: %d, title %q, error %q; want %d, %q, %q", p.url, p.status, tm, got, status, title, wantError)
	}
}

// TestSignInErrorsInChinese walks the sign-in pages in Chinese through their errors: each is
// shown in Chinese, under a Chinese title, never in English.
func TestSignInErrorsInChinese(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	b := h.browser().inChinese()
	login := b.get(h.issuer + "/login")
	wantPage(t, login, 200, "登录", "")

	wantPage(t, b.submit(login, url.Values{"phone": {"138"}}), 400, "登录", "手机号太短，请检查号码。")
	wantPage(t, b.submit(login, url.Values{"phone": {""}}), 400, "登录", "请输入手机号。")
	wantPage(t, b.submit(login, url.Values{"phone": {"hello"}}), 400, "登录", "这不像手机号。请只输入数字，例如 138 0013 8000 或 +86 138 0013 8000。")
	wantPage(t, b.submit(login, url.Values{"phone": {"+1 415 555 2671"}, "csrf": {"forged"}}), 403, "登录", "表单已过期，请重试。")

	code := b.submit(login, url.Values{"phone": {"13800138000"}})
	wantPage(t, code, 200, "输入验证码", "")
	wantPage(t, b.submit(code, url.Values{"code": {"12a"}}), 400, "输入验证码", "请输入短信中的 6 位验证码。")
	right := h.code("+8613800138000")
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	wantPage(t, b.submit(code, url.Values{"code": {wrong}}), 400, "输入验证码", "验证码不正确，还可以再试 4 次。")
	wantPage(t, b.submit(code, url.Values{"code": {right}, "csrf": {"forged"}}), 403, "输入验证码", "表单已过期，请重试。")

	register := b.submit(code, url.Values{"code": {right}})
	wantPage(t, register, 200, "您的姓名", "")
	wantPage(t, b.submit(register, url.Values{"name": {" "}}), 400, "您的姓名", "请输入姓名。")
	wantPage(t, b.submit(register, url.Values{"name": {"陈\x00"}}), 400, "您的姓名", "姓名含有控制字符（U+0000）。")

	// The same code again, from a new browser: it was used.
	again := h.browser().inChinese()
	p := again.get(h.issuer + "/login/code?c=" + url.QueryEscape(code.url.Query().Get("c")))
	wantPage(t, again.submit(p, url.Values{"code": {right}}), 410, "输入验证码", "验证码已使用，请重新获取。")
}

// TestScanAndSignOutErrorsInChinese: the pages that end a scan or a sign-out link that does
// not hold say so in Chinese.
func TestScanAndSignOutErrorsInChinese(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	b := h.browser().inChinese()
	wantPage(t, b.get(h.issuer+"/auth/callback?state=nothing"), 410, "请重新扫码", "扫码已过期，请重新扫码。")
	wantPage(t, b.get(h.issuer+"/oauth2/logout?id_token_hint=garbage"), 400, "退出登录", "该退出链接无效。您仍处于登录状态；如需退出，请在账户页面操作。")
}
