// Package metrics is the server's Prometheus instrumentation. Each Metrics owns its registry,
// so that tests and several servers in one process never share a series.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"qrcircles/storage"
)

// Namespace prefixes the application's own series.
const Namespace = "qrcircles"

// Join outcomes for Joins.
const (
	JoinAdmitted = "joined"
	JoinPending  = "waiting"
	JoinRefused  = "refused"
	JoinError    = "error"
)

// SMS results for SMS.
const (
	SMSSent   = "sent"
	SMSFailed = "failed"
)

// Options are what the metrics read from the rest of the server. Nil fields leave their
// series out.
type Options struct {
	// DB is the pool whose statistics are exported.
	DB *sql.DB
	// LiveConnections counts the open live-event streams at scrape time.
	LiveConnections func() float64
	// JoinBatches counts, at scrape time, the batches the joins were committed in
	// (PostgreSQL).
	JoinBatches func() storage.JoinBatchStats
}

// Metrics holds the registry and the series the server updates.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	// Joins counts join attempts by outcome (JoinAdmitted, JoinPending, JoinRefused, JoinError).
	Joins *prometheus.CounterVec
	// SMS counts text messages by provider and result (SMSSent, SMSFailed).
	SMS *prometheus.CounterVec
	// LiveConnections reports the open live-event streams; nil without Options.LiveConnections.
	LiveConnections prometheus.GaugeFunc
	// DeliveryLag observes the seconds from an event's creation to its write to a stream.
	DeliveryLag prometheus.Histogram
}

// New registers every series on a fresh registry.
func New(o Options) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
		Joins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "joins_total",
			Help: "Join attempts by outcome.",
		}, []string{"outcome"}),
		SMS: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "sms_total",
			Help: "Text messages by provider and result.",
		}, []string{"provider", "result"}),
		DeliveryLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "event_delivery_lag_seconds",
			Help:    "Seconds from an event's creation to its write to a live stream.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
	}
	m.reg.MustRegister(m.requests, m.Joins, m.SMS, m.DeliveryLag,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.LiveConnections != nil {
		m.LiveConnections = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "live_connections",
			Help: "Open live-event streams.",
		}, o.LiveConnections)
		m.reg.MustRegister(m.LiveConnections)
	}
	if o.DB != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(o.DB, Namespace))
	}
	if o.JoinBatches != nil {
		for name, series := range map[string]struct {
			help string
			of   func(storage.JoinBatchStats) uint64
		}{
			"join_batches_total":        {"Batches the joins were committed in.", func(b storage.JoinBatchStats) uint64 { return b.Batches }},
			"joins_batched_total":       {"Joins sent in a batch.", func(b storage.JoinBatchStats) uint64 { return b.Joins }},
			"join_batches_failed_total": {"Batches that failed as a whole; their joins ran again alone.", func(b storage.JoinBatchStats) uint64 { return b.Failed }},
			"joins_busy_total":          {"Joins of a batch that met a lock held elsewhere and ran again alone.", func(b storage.JoinBatchStats) uint64 { return b.Busy }},
		} {
			m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: series.help},
				func() float64 { return float64(series.of(o.JoinBatches())) }))
		}
	}
	return m
}

// Middleware times each request under its route pattern, never its raw path, so that IDs in
// URLs do not make a series each.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).
			Observe(time.Since(start).Seconds())
	}
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
