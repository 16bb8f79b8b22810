package templates

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
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
