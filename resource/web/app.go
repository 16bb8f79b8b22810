package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/templates"
)

// The installable app: one page (the shell) at every address the app has, whose script
// (static/app.js) signs in with the first-party OAuth client and does everything through
// the public API, as a partner's app would. Its service worker (static/sw.js, served at
// /sw.js) keeps the shell and what the person last saw for offline use.

func (w *Web) mountApp(e *gin.Engine) {
	e.GET("/app", w.appShell)
	e.GET("/app/*path", w.appShell)
	e.GET("/scan", w.appShell)
	e.GET("/u/:code", w.appShell) // a personal QR code opened by any camera
	e.GET("/manifest.webmanifest", w.manifest)
}

// appShell serves the app's page. It holds nothing private: the script fetches the person's
// data with its token, so the page may be kept for offline use.
func (w *Web) appShell(c *gin.Context) {
	w.render(c, http.StatusOK, "app", qrcircles.Say("pwa.title"),
		templates.Page{Data: map[string]string{"ClientID": w.AppClient}})
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose,omitempty"`
}

// manifest is the web app manifest: installed, the app opens on "my circles", standalone.
func (w *Web) manifest(c *gin.Context) {
	lang := templates.Negotiate(c.Request)
	c.Header("Cache-Control", "public, max-age=300")
	c.Header("Vary", "Accept-Language, Cookie")
	c.Header("Content-Type", "application/manifest+json")
	c.JSON(http.StatusOK, gin.H{
		"name":             templates.T(templates.English, "app.name") + " · " + templates.T(templates.Chinese, "app.name"),
		"short_name":       templates.T(lang, "app.name"),
		"lang":             lang,
		"id":               "/app",
		"start_url":        "/app",
		"scope":            "/",
		"display":          "standalone",
		"background_color": "#ffffff",
		"theme_color":      "#0b6e4f",
		"icons": []manifestIcon{
			{Src: w.Asset("icon-192.png"), Sizes: "192x192", Type: "image/png"},
			{Src: w.Asset("icon-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "any maskable"},
		},
	})
}
