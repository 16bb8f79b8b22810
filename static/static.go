// Package static holds the stylesheets, scripts and images served under /static/. Each asset
// is served at a fingerprinted URL (its content hash in the name) so browsers may cache it for
// a year; a new release changes the URL.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed *.css *.js *.png
var files embed.FS

// Prefix is where assets are served.
const Prefix = "/static/"

// Assets maps asset names to fingerprinted URLs and serves them.
type Assets struct {
	urls  map[string]string // name → /static/name.HASH.ext
	names map[string]string // name.HASH.ext → name
}

// Load fingerprints every embedded asset.
func Load() (*Assets, error) {
	a := &Assets{urls: map[string]string{}, names: map[string]string{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a.urls[p] = Prefix + hashed
		a.names[hashed] = p
		return nil
	})
	return a, err
}

// URL returns the fingerprinted URL of the named asset, or "" if there is none.
func (a *Assets) URL(name string) string { return a.urls[name] }

// ServeHTTP serves a fingerprinted asset with a year-long, immutable cache lifetime.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := a.names[strings.TrimPrefix(r.URL.Path, Prefix)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeFileFS(w, r, files, name)
}

// Stable serves the named asset at a URL that does not change between releases, for pages of
// other sites that load it (embed.js): cached briefly, loadable from any origin.
func (a *Assets) Stable(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := a.urls[name]; !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeFileFS(w, r, files, name)
	})
}
