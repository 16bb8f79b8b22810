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
	Version, Role, Started              string
	Uptime                              qrcircles.Words
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
		Uptime: templates.Verbatim(uptime(time.Duration(f.UptimeSeconds) * time.Second)), Live: f.LiveConnections,
		PoolInUse: f.DatabasePool.InUse, PoolIdle: f.DatabasePool.Idle, PoolOpen: f.DatabasePool.Open}
	p := templates.Page{Data: d}
	p.Prepare(r)
	p.Title = qrcircles.Say("health.title")
	if err := h.o.Pages.Render(w, status, "health", p); err != nil {
		h.o.Logger.ErrorContext(r.Context(), "rendering page", "page", "health", "error", err)
		templates.ServerError(w, p.Lang)
	}
}

// uptime is how long the instance has run, as Go writes a duration ("1h30m0s") or in Chinese
// units ("1小时30分0秒").
type uptime time.Duration

func (u uptime) String() string { return time.Duration(u).String() }

func (u uptime) In(lang string) string {
	if lang != templates.Chinese {
		return u.String()
	}
	return strings.NewReplacer("h", "小时", "m", "分", "s", "秒").Replace(u.String())
}
