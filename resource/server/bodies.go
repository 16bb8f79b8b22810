package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/cards"
	"qrcircles/templates"
)

// Body size limits. A person is told the nominal size; a route that takes a file may also
// take the few bytes a multipart form wraps around it.
const (
	FormLimit      = 64 << 10 // every form and JSON body
	AllowlistLimit = 1 << 20  // a body carrying an invitee allowlist
	AvatarLimit    = cards.MaxAvatarBytes
	multipartSlack = 64 << 10
)

// BodyRule is what a route takes as a request body.
type BodyRule struct {
	Max       int64 // bytes; a longer body is refused with 413
	Shown     int64 // the size a person is told
	Multipart bool  // whether a multipart/* body (a file upload) is taken at all
}

// defaultBody is the rule of every route the table does not name.
var defaultBody = BodyRule{Max: FormLimit, Shown: FormLimit}

// bodyRoutes names the routes ("METHOD /gin/route") that take more than a form, or a file.
var bodyRoutes = map[string]BodyRule{
	"POST /circles/:id/allowlist": {Max: AllowlistLimit, Shown: AllowlistLimit, Multipart: true}, // CSV upload or pasted
	"POST /api/v1/circles":        {Max: AllowlistLimit, Shown: AllowlistLimit},
	"PATCH /api/v1/circles/:id":   {Max: AllowlistLimit, Shown: AllowlistLimit},
	"POST /me/card/avatar":        {Max: AvatarLimit + multipartSlack, Shown: AvatarLimit, Multipart: true},
	"PUT /api/v1/me/card/avatar":  {Max: AvatarLimit + multipartSlack, Shown: AvatarLimit, Multipart: true},
}

// BodyRuleOf returns the rule of the route (gin's full path) for the method.
func BodyRuleOf(method, route string) BodyRule {
	if r, ok := bodyRoutes[method+" "+route]; ok {
		return r
	}
	return defaultBody
}

// BodyRoutes lists the routes with a rule of their own, for tests that check each one exists.
func BodyRoutes() []string {
	out := make([]string, 0, len(bodyRoutes))
	for k := range bodyRoutes {
		out = append(out, k)
	}
	return out
}

// limitBodies holds every request body to its route's rule before any handler sees it: a
// Content-Length above the limit is refused unread; any other body is read, up to the limit
// and no further, into memory; a multipart body where no file is expected is refused then,
// unparsed. Handlers parse a body that is whole and small: a form's CSRF token is checked
// against at most a form's worth of bytes, however much was sent.
func limitBodies(pages *templates.Renderer) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		if r.Body == nil || r.Body == http.NoBody {
			c.Next()
			return
		}
		rule := BodyRuleOf(r.Method, c.FullPath())
		if r.ContentLength > rule.Max {
			refuseBody(c, pages, http.StatusRequestEntityTooLarge, rule)
			return
		}
		body, err := readBounded(c, rule.Max)
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			refuseBody(c, pages, http.StatusRequestEntityTooLarge, rule)
			return
		case err != nil: // the client went away, or sent a broken chunked body
			c.Header("Connection", "close")
			c.AbortWithStatus(http.StatusBadRequest)
			return
		case isMultipart(r) && !rule.Multipart:
			refuseBody(c, pages, http.StatusUnsupportedMediaType, rule)
			return
		}
		r.Body = io.NopCloser(body)
		c.Next()
	}
}

// bodyBlock is how much of a body is read at a time.
const bodyBlock = 32 << 10

// readBounded reads the request body in blocks as it arrives, failing with
// *http.MaxBytesError past limit. Memory stays within a block of what was actually sent,
// whatever a Content-Length claims, and no block is copied again: the body is handed on as
// the blocks.
func readBounded(c *gin.Context, limit int64) (io.Reader, error) {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	want := limit + 1 // a byte past the limit is how a body too large shows
	if n := c.Request.ContentLength; n >= 0 {
		want = n + 1 // the last read meets the end of the body
	}
	var blocks []io.Reader
	for read := int64(0); read < want; {
		block := make([]byte, min(bodyBlock, want-read))
		n, err := io.ReadFull(body, block)
		blocks = append(blocks, bytes.NewReader(block[:n]))
		read += int64(n)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return io.MultiReader(blocks...), nil
		case err != nil:
			return nil, err
		}
	}
	return io.MultiReader(blocks...), nil
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type"))), "multipart/")
}

// refuseBody answers a body the route does not take, in the route's own way: problem+json
// for the API, an OAuth error for the OAuth endpoints, a page for the forms of people. The
// connection is closed afterwards, so that the rest of the body is never read.
func refuseBody(c *gin.Context, pages *templates.Renderer, status int, rule BodyRule) {
	c.Header("Connection", "close")
	path := c.Request.URL.Path
	switch {
	case strings.HasPrefix(path, "/api/"):
		if status == http.StatusUnsupportedMediaType {
			Problem(c, qrcircles.Fail(qrcircles.EUnsupported, "api.multipart"))
		} else {
			Problem(c, qrcircles.Fail(qrcircles.ETooLarge, "api.body_too_large", size(rule.Shown)))
		}
	case isOAuthEndpoint(path):
		// RFC 6749 §5.2: invalid_request; the token endpoint's body is form-encoded.
		desc := "The request body is larger than " + size(rule.Shown) + "."
		if status == http.StatusUnsupportedMediaType {
			status, desc = http.StatusBadRequest, "The request body must be application/x-www-form-urlencoded."
		}
		c.Header("Cache-Control", "no-store")
		c.AbortWithStatusJSON(status, gin.H{"error": "invalid_request", "error_description": desc})
	default:
		p := templates.Page{Title: qrcircles.Say("error.too_large_title"), Error: qrcircles.Say("error.too_large", size(rule.Shown))}
		if status == http.StatusUnsupportedMediaType {
			p.Title, p.Error = qrcircles.Say("error.unsupported_title"), qrcircles.Say("error.unsupported")
		}
		c.Header("Cache-Control", "no-store")
		Page(c, pages, status, "message", p)
		c.Abort()
	}
}

// isOAuthEndpoint says whether path is an endpoint that apps call and that answers in
// OAuth's words; the authorization endpoint is a page a person sees.
func isOAuthEndpoint(path string) bool {
	return path == "/userinfo" || (strings.HasPrefix(path, "/oauth2/") && path != "/oauth2/auth")
}

// size writes a limit as people read it: "64 KB", "2 MB".
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", (n+1<<10-1)>>10)
}
