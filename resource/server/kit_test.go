package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"qrcircles"
)

// kitEngine serves the API helpers the way the handlers use them, on a real engine (with its
// body limits).
func kitEngine(t *testing.T) *gin.Engine {
	t.Helper()
	e := newEngine(t, fakeDB{}, &bytes.Buffer{})
	for _, name := range []string{"id", "rid", "uid", "xid"} {
		e.GET("/things/"+name+"/:"+name, func(c *gin.Context) {
			if id, ok := PathID(c, name); ok {
				c.String(200, strconv.FormatInt(id, 10))
			}
		})
	}
	e.POST("/bind", func(c *gin.Context) {
		var v struct {
			Title string `json:"title"`
			Range struct {
				From int64 `json:"from"`
			} `json:"range"`
		}
		if BindJSON(c, &v) {
			c.String(200, v.Title)
		}
	})
	return e
}

func problemOf(t *testing.T, body []byte) qrcircles.Problem {
	t.Helper()
	var p qrcircles.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return p
}

func TestPathIDAnswersOneNotFoundPerParameter(t *testing.T) {
	e := kitEngine(t)
	tests := []struct {
		path   string
		status int
		detail string
	}{
		{"/things/id/42", 200, ""},
		{"/things/id/abc", 404, "No such circle."},
		{"/things/id/0", 404, "No such circle."},
		{"/things/rid/-3", 404, "No such request."},
		{"/things/uid/99999999999999999999", 404, "No such user."},
		{"/things/xid/x1", 404, "No such exclusion."},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != tt.status {
			t.Fatalf("%s: %d %s", tt.path, rec.Code, rec.Body)
		}
		if tt.status == 200 {
			continue
		}
		if p := problemOf(t, rec.Body.Bytes()); p.Detail != tt.detail || p.Type != qrcircles.ProblemTypeBase+qrcircles.ENotFound {
			t.Fatalf("%s: %+v", tt.path, p)
		}
	}
}

func TestBindJSONIsStrictAndNamesTheField(t *testing.T) {
	e := kitEngine(t)
	tests := []struct {
		name, body string
		status     int
		field      string
	}{
		{"good", `{"title":"Launch","range":{"from":1}}`, 200, ""},
		{"unknown field", `{"title":"Launch","colour":"red"}`, 400, "colour"},
		{"wrong type", `{"title":7}`, 400, "title"},
		{"wrong nested type", `{"range":{"from":"one"}}`, 400, "range.from"},
		{"not JSON", `title=Launch`, 400, ""},
		{"empty", ``, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/bind", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			e.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if tt.status == 200 {
				return
			}
			if p := problemOf(t, rec.Body.Bytes()); p.Field != tt.field || p.Type != qrcircles.ProblemTypeBase+qrcircles.EInvalid {
				t.Fatalf("%+v", p)
			}
		})
	}
}

// TestBindJSONReadsNoMoreThanTheRouteTakes: the engine's body limit, not the binder, bounds
// what is read; a body past it never reaches the handler.
func TestBindJSONReadsNoMoreThanTheRouteTakes(t *testing.T) {
	e := kitEngine(t)
	big := `{"title":"` + strings.Repeat("a", FormLimit) + `"}`
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/bind", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	e.ServeHTTP(rec, req)
	if rec.Code != 413 {
		t.Fatalf("%d", rec.Code)
	}
}
