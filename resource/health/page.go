package health

import (
	"net/http"
	"strings"
	"time"

	"qrcircles"
	"qrcircles/templates"
)

// pageData is what templates/health.html shows: the report with its times written out.
type pageData struct {
	OK        bool
	Failing   string // the failing checks' names
	CheckedAt string
	Checks    []pageCheck
	Facts     pageFacts
}

type pageCheck struct {
	Name   string
	OK     bool
	Took   string
	Detail qrcircles.Words
}

type pageFacts struct {
	Version, Role, Started, Uptime      string
	Live, PoolInUse, PoolIdle, PoolOpen int
}

const timeLayout = "2006-01-02 15:04:05 UTC"

func (h *Handler) page(w http.ResponseWriter, r *http.Request, status int, rep Report) {
	d := pageData{OK: rep.Status == StatusOK, CheckedAt: rep.CheckedAt.Format(timeLayout)}
	var failing []string
	for _, c := range rep.Checks {
		d.Checks = append(d.Checks, pageCheck{Name: c.Name, OK: c.Status == StatusOK, Took: c.took.Round(10 * time.Microsecond).String(), Detail: c.detail})
		if c.Status != StatusOK {
			failing = append(failing, c.Name)
		}
	}
	d.Failing = strings.Join(failing, ", ")
	f := rep.Facts
	d.Facts = pageFacts{Version: f.Version, Role: f.Role, Started: f.StartedAt.Format(timeLayout),
		Uptime: (time.Duration(f.UptimeSeconds) * time.Second).String(), Live: f.LiveConnections,
		PoolInUse: f.DatabasePool.InUse, PoolIdle: f.DatabasePool.Idle, PoolOpen: f.DatabasePool.Open}
	p := templates.Page{Data: d}
	p.Prepare(r)
	p.Title = templates.T(p.Lang, "health.title")
	if err := h.o.Pages.Render(w, status, "health", p); err != nil {
		h.o.Logger.ErrorContext(r.Context(), "rendering page", "page", "health", "error", err)
		templates.ServerError(w, p.Lang)
	}
}
