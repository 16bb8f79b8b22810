package metrics_test

import (
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	_ "github.com/glebarez/sqlite"

	"qrcircles/resource/metrics"
	"qrcircles/storage"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape status %d", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestSeriesAreExported(t *testing.T) {
	gin.SetMode(gin.TestMode)
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := metrics.New(metrics.Options{DB: db, LiveConnections: func() float64 { return 7 },
		JoinBatches: func() storage.JoinBatchStats {
			return storage.JoinBatchStats{Batches: 3, Joins: 20, Failed: 1, Busy: 2}
		}})
	e := gin.New()
	e.Use(m.Middleware())
	e.GET("/circles/:id", func(c *gin.Context) { c.Status(http.StatusTeapot) })
	for _, path := range []string{"/circles/1", "/circles/2", "/nowhere"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	m.Joins.WithLabelValues(metrics.JoinAdmitted).Inc()
	m.SMS.WithLabelValues("twilio", metrics.SMSFailed).Inc()
	m.DeliveryLag.Observe(0.02)

	out := scrape(t, m)
	for _, want := range []string{
		`http_request_duration_seconds_count{method="GET",route="/circles/:id",status="418"} 2`,
		`http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`qrcircles_joins_total{outcome="joined"} 1`,
		`qrcircles_sms_total{provider="twilio",result="failed"} 1`,
		`qrcircles_live_connections 7`,
		`qrcircles_join_batches_total 3`,
		`qrcircles_joins_batched_total 20`,
		`qrcircles_join_batches_failed_total 1`,
		`qrcircles_joins_busy_total 2`,
		`qrcircles_event_delivery_lag_seconds_count 1`,
		`go_sql_max_open_connections{db_name="qrcircles"}`,
		`go_goroutines `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if strings.Contains(out, `route="/circles/1"`) {
		t.Error("a raw path became a label")
	}
}

func TestEachMetricsHasItsOwnRegistry(t *testing.T) {
	a, b := metrics.New(metrics.Options{}), metrics.New(metrics.Options{})
	a.Joins.WithLabelValues(metrics.JoinRefused).Inc()
	if out := scrape(t, b); strings.Contains(out, `outcome="refused"`) {
		t.Fatal("a series leaked between registries")
	}
	if out := scrape(t, a); strings.Contains(out, "qrcircles_live_connections") || strings.Contains(out, "qrcircles_join_batches") {
		t.Fatal("live connections or join batches exported without a source")
	}
}
