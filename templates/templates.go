// Package templates holds the server-rendered pages, embedded into the binary and parsed once
// at start so that a broken template stops the program before it serves anything.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"qrcircles"
)

//go:embed *.html
var files embed.FS

const layoutFile = "layout.html"

// partFiles hold pieces that several pages use ({{define}} only); every page gets them.
const partFiles = "part_*.html"

// Page is what every page template receives.
type Page struct {
	Lang  string // "en" or "zh-Hans"
	Title string
	CSRF  string // the form token, for pages with forms
	Error string // a message for the person, shown above the form
	Data  any    // the page's own data
	// Path is the page's own address, where the language switcher comes back to.
	Path string
	// Viewer is the signed-in person the navigation names; nil offers to sign in.
	Viewer *Viewer
}

// Renderer renders pages: each page file defines "content" inside the shared layout.
type Renderer struct {
	pages map[string]map[string]*template.Template // by language, then by page
}

// New parses every page, once for each language: the page's words come from the catalog
// through the template functions t and tr, bound to the language.
func New(asset func(name string) string) (*Renderer, error) {
	r := &Renderer{pages: map[string]map[string]*template.Template{}}
	for _, lang := range []string{English, Chinese} {
		pages, err := parse(asset, lang)
		if err != nil {
			return nil, err
		}
		r.pages[lang] = pages
	}
	return r, nil
}

func parse(asset func(name string) string, lang string) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset":     asset,
		"t":         func(key string, args ...any) string { return T(lang, key, args...) },
		"tr":        func(s string) string { return Localize(s, lang) },
		"say":       func(w qrcircles.Words) string { return w.In(lang) },
		"switchURL": SwitchURL,
		"regions":   func() []Region { return Regions(lang) },
		"scope":     func(s string) string { t, _ := ScopeText(lang, s); return t },
		"fields":    func(names []string) string { return FieldList(lang, names) },
	}
	layout, err := template.New(layoutFile).Funcs(funcs).ParseFS(files, layoutFile, partFiles)
	if err != nil {
		return nil, fmt.Errorf("parsing layout: %w", err)
	}
	names, err := fs.Glob(files, "*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n == layoutFile || IsPart(n) {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", n, err)
		}
		pages[strings.TrimSuffix(n, ".html")] = t
	}
	return pages, nil
}

// IsPart reports whether the file is a piece of pages, not a page.
func IsPart(name string) bool {
	ok, _ := path.Match(partFiles, name)
	return ok
}

// Render writes the page with the status. It renders into a buffer first so that a failing
// template never sends half a page.
func (r *Renderer) Render(w http.ResponseWriter, status int, page string, data Page) error {
	if !Supported(data.Lang) {
		data.Lang = English
	}
	if data.Path == "" {
		data.Path = "/"
	}
	data.Title = LocalizeTitle(data.Title, data.Lang)
	data.Error = Localize(data.Error, data.Lang)
	t, ok := r.pages[data.Lang][page]
	if !ok {
		return fmt.Errorf("no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("rendering %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// ServerError writes a plain page saying that something went wrong, in lang, for when a
// page itself could not be rendered: never a raw error or an empty answer.
func ServerError(w http.ResponseWriter, lang string) {
	if !Supported(lang) {
		lang = English
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "<!doctype html>\n<html lang=%q>\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s · %s</title></head>\n<body><main><h1>%s</h1><p>%s</p><p><a href=\"/\">%s</a></p></main></body>\n</html>\n",
		lang, template.HTMLEscapeString(T(lang, "error.title")), template.HTMLEscapeString(T(lang, "app.name")),
		template.HTMLEscapeString(T(lang, "error.title")), template.HTMLEscapeString(T(lang, "error.body")), template.HTMLEscapeString(T(lang, "common.home")))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = buf.WriteTo(w)
}
