package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/circles"
	"qrcircles/resource/qr"
	"qrcircles/resource/server"
)

// circleBody is a circle as the API writes and reads it. On PATCH, absent fields stay as they
// are; an empty string clears a window bound.
type circleBody struct {
	Title        *string                 `json:"title,omitempty"`
	Description  *string                 `json:"description,omitempty"`
	Location     *string                 `json:"location,omitempty"`
	StartsAt     *string                 `json:"starts_at,omitempty"`
	EndsAt       *string                 `json:"ends_at,omitempty"`
	TimeZone     *string                 `json:"time_zone,omitempty"`
	NotBefore    *string                 `json:"not_before,omitempty"`
	NotAfter     *string                 `json:"not_after,omitempty"`
	Prefixes     *[]string               `json:"phone_prefixes,omitempty"`
	PhoneRanges  *[]qrcircles.PhoneRange `json:"phone_ranges,omitempty"`
	UserIDRanges *[]qrcircles.IDRange    `json:"user_id_ranges,omitempty"`
	Allowlist    *[]string               `json:"allowlist,omitempty"`
	Cap          *int                    `json:"member_cap,omitempty"`
	Mode         *qrcircles.Mode         `json:"mode,omitempty"`
	OnSite       *qrcircles.OnSite       `json:"on_site,omitempty"`
	Status       *string                 `json:"status,omitempty"`
}

func (b circleBody) input() (circles.Input, error) {
	in := circles.Input{Title: b.Title, Description: b.Description, Location: b.Location, TimeZone: b.TimeZone,
		Prefixes: b.Prefixes, PhoneRanges: b.PhoneRanges, IDRanges: b.UserIDRanges, Allowlist: b.Allowlist,
		Cap: b.Cap, Mode: b.Mode, OnSite: b.OnSite}
	times := []struct {
		name string
		src  *string
		dst  **time.Time
	}{{"starts_at", b.StartsAt, &in.StartsAt}, {"ends_at", b.EndsAt, &in.EndsAt}, {"not_before", b.NotBefore, &in.NotBefore}, {"not_after", b.NotAfter, &in.NotAfter}}
	for _, t := range times {
		if t.src == nil {
			continue
		}
		var v time.Time
		if *t.src != "" {
			var err error
			if v, err = time.Parse(time.RFC3339, *t.src); err != nil {
				return in, qrcircles.Fail(qrcircles.EInvalid, "api.time_format", t.name).WithField(t.name)
			}
		}
		*t.dst = &v
	}
	if b.Status != nil {
		if *b.Status != "open" && *b.Status != "closed" {
			return in, qrcircles.Fail(qrcircles.EInvalid, "api.status").WithField("status")
		}
		closed := *b.Status == "closed"
		in.Closed = &closed
	}
	return in, nil
}

// circleJSON is what the API shows of a circle; rules only to its organizer.
type circleJSON struct {
	ID          int64      `json:"id"`
	URL         string     `json:"url"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Location    string     `json:"location"`
	StartsAt    string     `json:"starts_at,omitempty"`
	EndsAt      string     `json:"ends_at,omitempty"`
	TimeZone    string     `json:"time_zone"`
	Status      string     `json:"status"`
	OwnerID     int64      `json:"owner_id"`
	Rules       *rulesJSON `json:"rules,omitempty"`
}

type rulesJSON struct {
	NotBefore     string                 `json:"not_before,omitempty"`
	NotAfter      string                 `json:"not_after,omitempty"`
	Prefixes      []string               `json:"phone_prefixes"`
	PhoneRanges   []qrcircles.PhoneRange `json:"phone_ranges"`
	UserIDRanges  []qrcircles.IDRange    `json:"user_id_ranges"`
	AllowlistSize int                    `json:"allowlist_size"`
	Cap           int                    `json:"member_cap"`
	Mode          qrcircles.Mode         `json:"mode"`
	OnSite        qrcircles.OnSite       `json:"on_site,omitempty"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (a *API) circleJSON(c qrcircles.Circle, viewer int64) circleJSON {
	status := "open"
	if c.Rules.Closed {
		status = "closed"
	}
	out := circleJSON{ID: c.ID, URL: a.Circles.URL(c), Title: c.Title, Description: c.Description, Location: c.Location,
		StartsAt: rfc3339(c.StartsAt), EndsAt: rfc3339(c.EndsAt), TimeZone: c.TimeZone, Status: status, OwnerID: c.OwnerID}
	if viewer == c.OwnerID {
		r := c.Rules
		out.Rules = &rulesJSON{NotBefore: rfc3339(r.NotBefore), NotAfter: rfc3339(r.NotAfter), Prefixes: nonNil(r.PhonePrefixes),
			PhoneRanges: nonNil(r.PhoneRanges), UserIDRanges: nonNil(r.UserIDRanges), AllowlistSize: c.AllowlistSize, Cap: r.Cap, Mode: r.Mode, OnSite: r.OnSite}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) createCircle(c *gin.Context) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	var b circleBody
	if !server.BindJSON(c, &b) {
		return
	}
	in, err := b.input()
	if err != nil {
		server.Problem(c, err)
		return
	}
	circle, err := a.Circles.Create(c.Request.Context(), u.ID, in)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.Header("Location", "/api/v1/circles/"+strconv.FormatInt(circle.ID, 10))
	c.JSON(http.StatusCreated, a.circleJSON(circle, u.ID))
}

func (a *API) getCircle(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	circle, err := a.Circles.Get(c.Request.Context(), id)
	if err != nil {
		server.Problem(c, err)
		return
	}
	p := bearer.Principal(c)
	viewer, _ := p.UserID()
	// Circle IDs are small numbers: only people who know the circle by its code (a scan
	// session, which the route lets in for its own circle only), its organizer, members and
	// applicants may read it.
	if !p.IsScanSession() {
		if err := a.Circles.MayRead(c.Request.Context(), viewer, circle); err != nil {
			server.Problem(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, a.circleJSON(circle, viewer))
}

func (a *API) updateCircle(c *gin.Context) {
	u, id, ok := a.userAndCircle(c)
	if !ok {
		return
	}
	var b circleBody
	if !server.BindJSON(c, &b) {
		return
	}
	in, err := b.input()
	if err != nil {
		server.Problem(c, err)
		return
	}
	circle, admitted, err := a.Circles.Update(c.Request.Context(), u.ID, id, in)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"circle": a.circleJSON(circle, u.ID), "admitted": admitted})
}

// ownedCircle loads a circle its organizer asks about.
func (a *API) ownedCircle(c *gin.Context) (qrcircles.Circle, bool) {
	u, ok := a.user(c)
	if !ok {
		return qrcircles.Circle{}, false
	}
	id, ok := server.PathID(c, "id")
	if !ok {
		return qrcircles.Circle{}, false
	}
	circle, err := a.Circles.Get(c.Request.Context(), id)
	if err == nil && circle.OwnerID != u.ID {
		err = qrcircles.Fail(qrcircles.EForbidden, "circles.organizer_only")
	}
	if err != nil {
		server.Problem(c, err)
		return circle, false
	}
	return circle, true
}

func (a *API) qrPNG(c *gin.Context) {
	circle, ok := a.ownedCircle(c)
	if !ok {
		return
	}
	size := qr.DefaultSize
	if s := c.Query("size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < qr.MinSize || n > qr.MaxSize {
			server.Problem(c, qrcircles.Fail(qrcircles.EInvalid, "api.qr_size", qr.MinSize, qr.MaxSize).WithField("size"))
			return
		}
		size = n
	}
	img, err := qr.PNG(a.Circles.URL(circle), size)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.Data(http.StatusOK, "image/png", img)
}

func (a *API) qrSVG(c *gin.Context) {
	circle, ok := a.ownedCircle(c)
	if !ok {
		return
	}
	img, err := qr.SVG(a.Circles.URL(circle))
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.Data(http.StatusOK, "image/svg+xml", img)
}
