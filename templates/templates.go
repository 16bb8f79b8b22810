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
	Lang  string          // "en" or "zh-Hans"
	Title qrcircles.Words // the page's name, before the product's
	CSRF  string          // the form token, for pages with forms
	Error qrcircles.Words // a message for the person, shown above the form (see ErrorWords)
	Data  any             // the page's own data
	// Path is the page's own address, where the language switcher comes back to.
	Path string
	// Viewer is the signed-in person the navigation names; nil offers to sign in.
	Viewer *Viewer
	// Form is the id of the form this page answers: its Error, or the notice of Done, shows
	// next to that form (see Answer), not at the top of the page.
	Form string
	// Done is the catalog key of what the form did, on the page it came back to.
	Done string
}

// dict makes a map of its key and value pairs: the argument of a template shared by pages
// whose data differ.
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("dict takes pairs, not %d values", len(pairs))
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		k, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", pairs[i])
		}
		m[k] = pairs[i+1]
	}
	return m, nil
}

// Answer is p when it answers the form of the id ("" for the page itself), else nil: the
// template "answer" shows it there.
func Answer(p Page, form string) *Page {
	if p.Form != form {
		return nil
	}
	return &p
}

// Renderer renders pages: each page file defines "content" inside the shared layout.
type Renderer struct {
	pages map[string]map[string]*template.Template // by language, then by page
}

// New parses every page, once for each language: the page's words come from the catalogs
// through the template functions t and say, bound to the language.
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
		"say":       func(w qrcircles.Words) string { return Say(lang, w) },
		"switchURL": SwitchURL,
		"regions":   func() []Region { return Regions(lang) },
		"scope":     func(s string) string { t, _ := ScopeText(lang, s); return t },
		"answer":    Answer,
		"dict":      dict,
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
