package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"qrcircles/templates"
)

// i18nGet fetches path with the client's cookies and Accept-Language, following redirects.
func i18nGet(t *testing.T, c *http.Client, url, accept string) (int, string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res
}

// labelKeys are catalog keys on the pages below; no page may show both languages of one.
var labelKeys = []string{"field.phone", "login.send", "login.title", "nav.my_circles", "nav.my_card", "nav.settings", "common.home"}

func oneLanguage(t *testing.T, what, body string) {
	t.Helper()
	for _, k := range labelKeys {
		en, zh := templates.T(templates.English, k), templates.T(templates.Chinese, k)
		if strings.Contains(body, ">"+en+"<") && strings.Contains(body, ">"+zh+"<") {
			t.Errorf("%s shows %s in both languages: %q and %q", what, k, en, zh)
		}
	}
}

func TestPagesLanguageNegotiationAndSwitcher(t *testing.T) {
	s := newSite(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}

	status, body, _ := i18nGet(t, c, s.base+"/login", "zh-CN,zh;q=0.9")
	if status != 200 || !strings.Contains(body, `<html lang="zh-Hans">`) || !strings.Contains(body, "<label for=\"phone\">手机号</label>") ||
		!strings.Contains(body, "发送验证码") || strings.Contains(body, "Phone number") || strings.Contains(body, "Send code") {
		t.Fatalf("login in Chinese: %d\n%s", status, body)
	}
	if !strings.Contains(body, `id="lang-switch"`) || !strings.Contains(body, ">English</a>") {
		t.Fatalf("no switcher to English:\n%s", body)
	}
	oneLanguage(t, "zh login", body)

	// The switcher: a cookie for a year, back to the page, now in English despite the header.
	status, body, res := i18nGet(t, c, s.base+"/lang/en?return_to=/login", "zh-CN,zh;q=0.9")
	if status != 200 || res.Request.URL.Path != "/login" || !strings.Contains(body, `<html lang="en">`) ||
		!strings.Contains(body, "Phone number") || strings.Contains(body, "手机号") || !strings.Contains(body, ">中文</a>") {
		t.Fatalf("after switching to English: %d %s\n%s", status, res.Request.URL, body)
	}
	oneLanguage(t, "en login", body)
	var ck *http.Cookie
	for _, k := range jar.Cookies(res.Request.URL) {
		if k.Name == templates.LangCookie {
			ck = k
		}
	}
	if ck == nil || ck.Value != "en" {
		t.Fatalf("no %s cookie: %v", templates.LangCookie, jar.Cookies(res.Request.URL))
	}
	// The cookie sticks for the next pages.
	if _, body, _ := i18nGet(t, c, s.base+"/", "zh-CN"); !strings.Contains(body, `<html lang="en">`) {
		t.Fatalf("home after switching: %s", body)
	}

	// And back to Chinese with an English browser.
	_, body, _ = i18nGet(t, c, s.base+"/lang/zh-Hans?return_to=/", "en-US")
	if !strings.Contains(body, `<html lang="zh-Hans">`) || !strings.Contains(body, "二维码好友圈") || strings.Contains(body, "My circles") {
		t.Fatalf("home after switching to Chinese:\n%s", body)
	}
	oneLanguage(t, "zh home", body)

	// return_to only ever goes to this site.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, _, res = i18nGet(t, noFollow, s.base+"/lang/en?return_to=//evil.example/x", "")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
		t.Fatalf("open redirect: %d %q", res.StatusCode, loc)
	}

	// Without header or cookie the pages are English, as before.
	status, body, _ = i18nGet(t, &http.Client{}, s.base+"/login", "")
	if status != 200 || !strings.Contains(body, `<html lang="en">`) || strings.Contains(body, "发送验证码") {
		t.Fatalf("default language: %d\n%s", status, body)
	}
}

func TestPagesFriendlyErrorsInChinese(t *testing.T) {
	s := newSite(t)
	status, body, _ := i18nGet(t, &http.Client{}, s.base+"/c/NoSuchCode1", "zh-CN")
	if status != 404 || !strings.Contains(body, `<html lang="zh-Hans">`) || !strings.Contains(body, "没有与此二维码对应的圈子") ||
		strings.Contains(body, "No circle has this QR code") || !strings.Contains(body, "未找到") {
		t.Fatalf("unknown circle in Chinese: %d\n%s", status, body)
	}
	status, body, _ = i18nGet(t, &http.Client{}, s.base+"/c/NoSuchCode1", "en")
	if status != 404 || !strings.Contains(body, "No circle has this QR code") || strings.Contains(body, "没有与此二维码对应的圈子") {
		t.Fatalf("unknown circle in English: %d\n%s", status, body)
	}
}

// TestPagesSignedInInChinese walks the signed-in pages with the language cookie set to
// Chinese: every one is in Chinese only, dates included.
func TestPagesSignedInInChinese(t *testing.T) {
	s := newSite(t)
	org, circle := s.organizer("+8613700000000", circleForm("Expo", "starts_at", "2026-05-01T19:30"))
	ann := s.joinByPage(circle, "+8613800000001", "Ann")
	base, _ := url.Parse(s.base)
	for _, b := range []*browser{org, ann.b} {
		b.client.Jar.SetCookies(base, []*http.Cookie{{Name: templates.LangCookie, Value: templates.Chinese, Path: "/"}})
	}
	check := func(b *browser, path string) {
		t.Helper()
		p := b.get(path)
		body := text(p)
		if p.status != 200 || !strings.Contains(body, `<html lang="zh-Hans">`) {
			t.Fatalf("%s: %d\n%s", path, p.status, body)
		}
		for _, en := range templates.LatinSentences(p.body, "Olga Organizer", "Expo", "Ann", "Hall 1") {
			t.Errorf("%s shows English %q", path, en)
		}
		oneLanguage(t, path, body)
	}
	for _, path := range []string{"/me/circles", "/me/card", "/settings", "/circles/new", "/account",
		fmt.Sprintf("/circles/%d", circle.ID), fmt.Sprintf("/circles/%d/manage", circle.ID), "/c/" + circle.Code, "/c/" + circle.Code + "/poster"} {
		check(org, path)
	}
	check(ann.b, fmt.Sprintf("/circles/%d/welcome", circle.ID))
	// The card requests where they happen, answered, and leaving: Ann has the organizer's request.
	org.submit(org.get(circlePath(circle.ID)), fmt.Sprintf("/circles/%d/members/%d/request", circle.ID, ann.user.ID))
	for _, path := range []string{"/me/requests", "/me/requests?done=accepted&form=card-requests", "/settings?done=saved&form=exclusion-add",
		fmt.Sprintf("/circles/%d?done=delivered&form=card-requests", circle.ID), "/c/" + circle.Code + "?left=1"} {
		check(ann.b, path)
	}
	if p := ann.b.get("/me/requests"); !strings.Contains(p.body, "想要您的名片") || !strings.Contains(p.body, "名片请求：1 条待处理") {
		t.Errorf("Ann's requests do not show the organizer's in Chinese:\n%s", p.body)
	}
	check(ann.b, fmt.Sprintf("/circles/%d", circle.ID))
	olga := s.user("+8613700000000", "Olga Organizer")
	if _, err := s.app.messages.Send(context.Background(), olga.ID, ann.user.ID, "欢迎"); err != nil {
		t.Fatal(err)
	}
	check(ann.b, "/messages")
	check(ann.b, threadOf(olga.ID))
	if p := org.get(fmt.Sprintf("/circles/%d", circle.ID)); !strings.Contains(text(p), "2026年5月1日 周五 19:30") {
		t.Errorf("the event's time is not written the Chinese way:\n%s", p.body)
	}
}
