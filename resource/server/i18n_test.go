package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestBrowsersGetFriendlyPages(t *testing.T) {
	var logs bytes.Buffer
	e := newEngine(t, fakeDB{}, &logs)
	e.GET("/boom", func(c *gin.Context) { panic("kaboom") })
	for _, c := range []struct {
		path, lang string
		status     int
		want, not  string
	}{
		{"/boom", "zh-CN", 500, "服务器出错了", "Something went wrong"},
		{"/boom", "", 500, "Something went wrong on our side", "服务器出错了"},
		{"/no/such/page", "zh-CN", 404, "页面不存在", "no such page"},
		{"/no/such/page", "", 404, "There is no such page.", "页面不存在"},
		{"/", "zh-CN", 200, `<html lang="zh-Hans">`, ""},
	} {
		req := httptest.NewRequest("GET", c.path, nil)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		if c.lang != "" {
			req.Header.Set("Accept-Language", c.lang)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(body, c.want) || strings.Contains(body, "kaboom") || (c.not != "" && strings.Contains(body, c.not)) {
			t.Errorf("%s (%s): %d %q\n%s", c.path, c.lang, rec.Code, rec.Header().Get("Content-Type"), body)
		}
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/lang/zh-Hans?return_to=/x", nil))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/x" || !strings.Contains(rec.Header().Get("Set-Cookie"), "qrc_lang=zh-Hans") {
		t.Errorf("switcher: %d %v", rec.Code, rec.Header())
	}
}
