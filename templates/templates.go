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
	"strings"
)

//go:embed *.html
var files embed.FS

const layoutFile = "layout.html"

// Page is what every page template receives.
type Page struct {
	Lang  string // "en" or "zh-Hans"
	Title string
	CSRF  string // the form token, for pages with forms
	Error string // a message for the person, shown above the form
	Data  any    // the page's own data
}

// Renderer renders pages: each page file defines "content" inside the shared layout.
type Renderer struct {
	pages map[string]*template.Template
}

// New parses every page. asset maps a static asset name to its URL.
func New(asset func(name string) string) (*Renderer, error) {
	funcs := template.FuncMap{"asset": asset}
	layout, err := template.New(layoutFile).Funcs(funcs).ParseFS(files, layoutFile)
	if err != nil {
		return nil, fmt.Errorf("parsing layout: %w", err)
	}
	names, err := fs.Glob(files, "*.html")
	if err != nil {
		return nil, err
	}
	r := &Renderer{pages: map[string]*template.Template{}}
	for _, n := range names {
		if n == layoutFile {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", n, err)
		}
		r.pages[strings.TrimSuffix(n, ".html")] = t
	}
	return r, nil
}

// Render writes the page with the status. It renders into a buffer first so that a failing
// template never sends half a page.
func (r *Renderer) Render(w http.ResponseWriter, status int, page string, data Page) error {
	if data.Lang == "" {
		data.Lang = "en"
	}
	t, ok := r.pages[page]
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
