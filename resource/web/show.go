package web

import (
	"html/template"
	"net/http"
	"qrcircles"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/admission"
	"qrcircles/resource/qr"
	"qrcircles/templates"
)

// latestShown is how many of the latest joiners the projector names.
const latestShown = 5

// showData is the projector view: the code as large as the screen allows, the title, the
// member count and the first names of the latest joiners.
type showData struct {
	ID      int64
	Title   string
	URL     string        // what the QR code holds now
	QR      template.HTML // drawn by our own encoder from URL; it holds no text from anyone
	Members int
	Latest  []string
	OnSite  bool
	NextMS  int64 // until the code changes, for live.js; 0 when it does not
	EveryMS int64
}

// show is the projector view. For an on-site-only circle the code carries the current slot
// token and the page fetches itself again when the slot ends (live.js).
func (w *Web) show(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	now := w.now()
	d := showData{ID: circle.ID, Title: circle.Title, URL: w.onSiteURL(circle, now), OnSite: circle.Rules.OnSite != ""}
	svg, err := qr.SVG(d.URL)
	var members []qrcircles.Member
	if err == nil {
		members, err = w.Circles.Members(c.Request.Context(), u.ID, circle.ID)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	d.QR, d.Members, d.Latest = template.HTML(svg), len(members), latestFirstNames(members)
	if d.OnSite {
		next := admission.SlotStart(admission.Slot(now) + 1)
		d.NextMS, d.EveryMS = next.Sub(now).Milliseconds()+250, int64(admission.SlotLength/time.Millisecond)
	}
	w.render(c, http.StatusOK, "circle_show", templates.Verbatim(circle.Title), templates.Page{Data: d})
}

// latestFirstNames are the first names of the latest joiners, newest first: enough to
// greet people from a screen, no more of anyone's card.
func latestFirstNames(members []qrcircles.Member) []string {
	var out []string
	for i := len(members) - 1; i >= 0 && len(out) < latestShown; i-- {
		if name := firstName(members[i].DisplayName); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// firstName is the first word of a name; a name in Chinese characters without spaces is
// shown without its first character, the family name in most names.
func firstName(name string) string {
	fields := strings.Fields(name)
	if len(fields) == 0 {
		return ""
	}
	first := []rune(fields[0])
	if len(fields) == 1 && len(first) >= 2 && allHan(first) {
		return string(first[1:])
	}
	return fields[0]
}

func allHan(rs []rune) bool {
	for _, r := range rs {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}
