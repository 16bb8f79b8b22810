package web

import (
	"net/http"
	"net/url"
	"regexp"

	"github.com/gin-gonic/gin"
)

// Feedback in place: a form of the attendee's pages names itself in a hidden field "form" (its
// element's id) and sends the browser to "#" + that id. Its answer shows next to it: after a
// redirect back to its page (?form=id&done=outcome#id), or when the page is shown again with
// an error. The browser stays at the form, never at the top of the page or a far anchor.

// formIDs are the ids a form may give itself: words and numbers joined by dashes.
var formIDs = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,40}$`)

// doneKeys are the outcomes a form can come back with, by the catalog key of their notice.
var doneKeys = map[string]string{
	"saved":     "done.saved",
	"delivered": "done.delivered",
	"waiting":   "done.waiting",
	"requested": "done.requested",
	"announced": "done.announced",
	"accepted":  "done.accepted",
	"declined":  "done.declined",
}

// sentForm is the id of the form the request came from (or, on a page it came back to, was
// sent from); "" when none or not a well-formed id.
func sentForm(c *gin.Context) string {
	id := c.Query("form")
	if c.Request.Method == http.MethodPost {
		id = c.PostForm("form")
	}
	if !formIDs.MatchString(id) {
		return ""
	}
	return id
}

// answerOf is the form a page answers and the key of what was done, for the page's notice.
func answerOf(c *gin.Context) (form, done string) {
	form = sentForm(c)
	if c.Request.Method == http.MethodGet {
		done = doneKeys[c.Query("done")]
	}
	return form, done
}

// goBack sends the browser back to page (a path without query) after the form was done,
// with the outcome (a key of doneKeys), to the form that was sent.
func goBack(c *gin.Context, page, done string) {
	q := url.Values{"done": {done}}
	form := sentForm(c)
	if form != "" {
		q.Set("form", form)
	}
	to := page + "?" + q.Encode()
	if form != "" {
		to += "#" + form
	}
	c.Redirect(http.StatusSeeOther, to)
}
