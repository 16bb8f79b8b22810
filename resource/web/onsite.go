package web

import (
	"crypto/hmac"
	"net/http"
	"qrcircles"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/admission"
)

// The proof that a scan was made on site travels like the scan time: the landing page checks
// the slot token of the QR URL (?s=) when it is opened, and signs "on site" for that circle
// and scan time into the Join form; Join moves the proof into a cookie of this browser, which
// the end of the scan (Scanned) reads back for the same circle and scan time. A proof is
// thus worth one scan time of one circle in one browser, no more than the ticket itself.
const onSiteCookie = "qrc_onsite"

// slotParam is the QR URL's query parameter that carries the slot token.
const slotParam = "s"

// onSiteURL is the content of the projector's QR code for now: the circle's URL with the
// current slot token when the circle is on-site only.
func (w *Web) onSiteURL(circle qrcircles.Circle, now time.Time) string {
	url := w.Circles.URL(circle)
	if circle.Rules.OnSite == "" {
		return url
	}
	return url + "?" + slotParam + "=" + admission.SlotToken(w.SlotKey, circle.Code, admission.Slot(now))
}

// onSiteProof signs that the landing page of circleID opened at scan carried a current
// slot token; "" when it did not, or when the circle does not ask.
func (w *Web) onSiteProof(c *gin.Context, circle qrcircles.Circle, scan time.Time) string {
	if circle.Rules.OnSite == "" || !admission.ScannedOnSite(w.SlotKey, circle.Code, c.Query(slotParam), scan) {
		return ""
	}
	return onSiteMAC(w.TicketKey, circle.ID, scan.Unix())
}

func onSiteMAC(key []byte, circleID, unix int64) string {
	return mac(key, "on-site", strconv.FormatInt(circleID, 10), strconv.FormatInt(unix, 10))
}

// keepOnSite moves a valid proof from the Join form into the cookie for the scan's end.
func (w *Web) keepOnSite(c *gin.Context, circleID int64, scan time.Time) {
	proof := c.PostForm("onsite")
	if proof == "" || !hmac.Equal([]byte(proof), []byte(onSiteMAC(w.TicketKey, circleID, scan.Unix()))) {
		return
	}
	value := strconv.FormatInt(circleID, 10) + "." + strconv.FormatInt(scan.Unix(), 10) + "." + proof
	http.SetCookie(c.Writer, &http.Cookie{Name: onSiteCookie, Value: value, Path: "/", MaxAge: int(ticketLifespan / time.Second),
		HttpOnly: true, Secure: c.Request.TLS != nil || w.Circles.PublicURL.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

// scannedOnSite reads and clears the proof: true when it is for this circle and scan time.
func (w *Web) scannedOnSite(c *gin.Context, circleID int64, scan time.Time) bool {
	v, err := c.Cookie(onSiteCookie)
	if err != nil {
		return false
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: onSiteCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	parts := strings.Split(v, ".")
	return len(parts) == 3 && parts[0] == strconv.FormatInt(circleID, 10) && parts[1] == strconv.FormatInt(scan.Unix(), 10) &&
		hmac.Equal([]byte(parts[2]), []byte(onSiteMAC(w.TicketKey, circleID, scan.Unix())))
}
