package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"qrcircles"
)

// countFunnel counts one step of the circle's join funnel. The count is for the organizer;
// the person scanning goes on without it when it fails.
func (w *Web) countFunnel(c *gin.Context, circleID int64, step string) {
	if err := w.Circles.CountFunnel(c.Request.Context(), circleID, step); err != nil {
		w.Logger.WarnContext(c.Request.Context(), "counting a funnel step", "circle", circleID, "step", step, "error", err)
	}
}

// The chart's geometry in the SVG's units: each step is a label above its bar, so that long
// labels (and either language) fit a phone's width.
const (
	funnelBarWidth = 300 // the longest bar
	funnelRow      = 46
)

// funnelBar is one bar of the funnel chart, drawn by the template as SVG.
type funnelBar struct {
	Key   string // the catalog key of its label, and its name in the CSV
	N     int64
	Width int // in the SVG's units, of funnelBarWidth
	Y     int
}

// funnelView is the chart and the reasons counted.
type funnelView struct {
	Bars    []funnelBar
	Height  int
	Reasons []reasonCount
}

// funnelSteps are the chart's bars in order, with how each is read off the funnel.
var funnelSteps = []struct {
	key string
	n   func(qrcircles.Funnel) int64
}{
	{"opened", func(f qrcircles.Funnel) int64 { return f.Opened }},
	{"signed_in", func(f qrcircles.Funnel) int64 { return f.SignedIn }},
	{"joined", func(f qrcircles.Funnel) int64 { return f.Joined }},
	{"waiting", func(f qrcircles.Funnel) int64 { return f.Waiting }},
	{"refused", func(f qrcircles.Funnel) int64 { return f.Refused }},
}

func (w *Web) funnel(ctx context.Context, actor, circleID int64) (funnelView, error) {
	f, err := w.Circles.Funnel(ctx, actor, circleID)
	if err != nil {
		return funnelView{}, err
	}
	return viewFunnel(f), nil
}

// viewFunnel scales the bars to the largest step.
func viewFunnel(f qrcircles.Funnel) funnelView {
	var v funnelView
	most := int64(1)
	for _, s := range funnelSteps {
		most = max(most, s.n(f))
	}
	for i, s := range funnelSteps {
		n := s.n(f)
		v.Bars = append(v.Bars, funnelBar{Key: s.key, N: n, Width: int(n * funnelBarWidth / most), Y: i * funnelRow})
	}
	v.Height = len(v.Bars) * funnelRow
	v.Reasons = funnelReasons(f)
	return v
}

// funnelReasons lists the reasons counted, in the queue's order, then any others by name.
func funnelReasons(f qrcircles.Funnel) []reasonCount {
	var out []reasonCount
	for _, r := range reasonOrder {
		if n := f.Reasons[r]; n > 0 {
			out = append(out, reasonCount{Code: r, N: int(n)})
		}
	}
	var rest []qrcircles.Reason
	for r := range f.Reasons {
		if !slices.Contains(reasonOrder, r) {
			rest = append(rest, r)
		}
	}
	slices.Sort(rest)
	for _, r := range rest {
		out = append(out, reasonCount{Code: r, N: int(f.Reasons[r])})
	}
	return out
}

// funnelCSV downloads the funnel: one row per step, then one per reason.
func (w *Web) funnelCSV(c *gin.Context) {
	u, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	v, err := w.funnel(c.Request.Context(), u.ID, circle.ID)
	if err != nil {
		w.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="circle-%d-funnel.csv"`, circle.ID))
	c.Header("Cache-Control", "no-store")
	out := csv.NewWriter(c.Writer)
	rows := [][]string{{"step", "count"}}
	for _, b := range v.Bars {
		rows = append(rows, []string{b.Key, strconv.FormatInt(b.N, 10)})
	}
	for _, r := range v.Reasons {
		rows = append(rows, []string{"reason:" + string(r.Code), strconv.Itoa(r.N)})
	}
	_ = out.WriteAll(rows) // the status is sent; a broken connection has no one to tell
}
