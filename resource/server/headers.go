package server

import "github.com/gin-gonic/gin"

// ContentSecurityPolicy is the policy of every page: scripts, styles, images and connections
// from this site only, no plugins, no <base>, and never shown in a frame. The "Join with QR
// Circles" button opens its page in a popup, not a frame, so no page needs framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// securityHeaders sets, on every answer and before any handler runs, the headers that keep
// a page from being framed (clickjacking), a file from being sniffed into a script, and
// addresses from leaking to other sites. Pages need them most; the rest lose nothing by
// them, and no page can be forgotten: "/", errors and 404 included.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		// same-origin: the language switcher of a page answering a form reads the Referer.
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}
