package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Leaving a circle asks once (the page's confirmation, which works without scripts) and ends
// on the circle's landing page, whose Join asks again like any scan.

func (w *Web) leave(c *gin.Context) {
	u, circle, ok := w.signedInCircle(c)
	if !ok {
		return
	}
	err := w.formExpired(c)
	if err == nil {
		err = w.Circles.Leave(c.Request.Context(), u.ID, circle.ID)
	}
	if err != nil {
		w.renderView(c, u.ID, circle, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/c/"+circle.Code+"?left=1")
}
