package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"qrcircles/storage/storagetest"
)

// The document is checked against the server it describes: every /api/v1 route the engine
// serves is documented and every documented operation is served; each example validates
// against its schema, with a small validator for the JSON Schema subset the document uses.

const openAPIPath = "/api/v1/openapi.json"

// openAPIServer builds the whole server and reads the document it serves.
func openAPIServer(t *testing.T) (*gin.Engine, map[string]any) {
	t.Helper()
	a, _ := serveApp(t, storagetest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	rec := httptest.NewRecorder()
	a.engine.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, openAPIPath, nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %d %q", openAPIPath, rec.Code, rec.Header().Get("Content-Type"))
	}
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("document: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	return a.engine, doc
}

var ginParam = regexp.MustCompile(`[:*](\w+)`)

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	engine, doc := openAPIServer(t)
	served := map[string]bool{}
	for _, r := range engine.Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			served[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
		}
	}
	documented := map[string]bool{}
	for path, item := range obj(t, doc, "paths") {
		for method := range item.(map[string]any) {
			if !slices.Contains([]string{"get", "put", "post", "delete", "patch"}, method) {
				t.Errorf("%s: unexpected key %q in path item", path, method)
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, r := range sortedKeys(served) {
		if !documented[r] {
			t.Errorf("served but not documented: %s", r)
		}
	}
	for _, r := range sortedKeys(documented) {
		if !served[r] {
			t.Errorf("documented but not served: %s", r)
		}
	}
	if len(served) == 0 {
		t.Errorf("no /api/v1 routes served (%d); the route table was not read", len(served))
	}
	t.Logf("%d /api/v1 routes, %d documented operations", len(served), len(documented))
}

func TestOpenAPIOperationsAreComplete(t *testing.T) {
	_, doc := openAPIServer(t)
	s := newSchemas(t, doc)
	walkSchemas(doc, func(at string, schema any) {
		if err := s.check(schema, at); err != nil {
			t.Error(err)
		}
	})
	ids := map[string]string{}
	forEachOperation(t, doc, func(at, path string, op map[string]any) {
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] != "" {
			t.Errorf("%s: operationId %q missing or also used by %s", at, id, ids[id])
		}
		ids[id] = at
		if _, ok := op["security"]; !ok {
			t.Errorf("%s: no security", at)
		}
		var inPath []string
		for _, p := range op["parameters"].([]any) {
			p := resolve(t, doc, p)
			if p["in"] == "path" {
				inPath = append(inPath, "{"+p["name"].(string)+"}")
			}
		}
		slices.Sort(inPath)
		want := regexp.MustCompile(`\{\w+\}`).FindAllString(path, -1)
		slices.Sort(want)
		if !slices.Equal(inPath, want) {
			t.Errorf("%s: path parameters %v, the path has %v", at, inPath, want)
		}
	})
}

func TestOpenAPIExamplesMatchSchemas(t *testing.T) {
	_, doc := openAPIServer(t)
	s := newSchemas(t, doc)
	checked := 0
	forEachOperation(t, doc, func(at, _ string, op map[string]any) {
		responses := mapOf(op["responses"])
		if len(responses) == 0 {
			t.Errorf("%s: no responses", at)
		}
		for code, r := range responses {
			content, _ := resolve(t, doc, r)["content"].(map[string]any)
			for mt, m := range content {
				m := m.(map[string]any)
				example, has := m["example"]
				where := at + " " + code + " " + mt
				if !has {
					if strings.HasPrefix(code, "2") && mt == "application/json" {
						t.Errorf("%s: no example", where)
					}
					continue
				}
				if err := s.validate(m["schema"], example, where); err != nil {
					t.Error(err)
				}
				checked++
			}
		}
	})
	t.Logf("%d examples validated", checked)
}

// TestOpenAPIValidatorRefusesWrongExamples keeps the validator honest: each wrong example
// must fail, for the reason given, and the right one must pass.
func TestOpenAPIValidatorRefusesWrongExamples(t *testing.T) {
	_, doc := openAPIServer(t)
	s := newSchemas(t, doc)
	ref := func(name string) any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	circle := func(edit func(map[string]any)) any {
		c := map[string]any{"id": json.Number("7"), "url": "https://x/c/7", "title": "t", "description": "", "location": "",
			"time_zone": "UTC", "status": "open", "owner_id": json.Number("1")}
		edit(c)
		return c
	}
	for _, tc := range []struct {
		name    string
		schema  any
		example any
		want    string // "" when the example is right
	}{
		{"right circle", ref("Circle"), circle(func(map[string]any) {}), ""},
		{"id as string", ref("Circle"), circle(func(c map[string]any) { c["id"] = "7" }), "want integer"},
		{"id as fraction", ref("Circle"), circle(func(c map[string]any) { c["id"] = json.Number("7.5") }), "want integer"},
		{"missing url", ref("Circle"), circle(func(c map[string]any) { delete(c, "url") }), `missing "url"`},
		{"unknown field", ref("Circle"), circle(func(c map[string]any) { c["colour"] = "red" }), `unknown property "colour"`},
		{"status outside enum", ref("Circle"), circle(func(c map[string]any) { c["status"] = "paused" }), "not one of"},
		{"wrong item", ref("MemberList"), map[string]any{"members": []any{"Mei"}}, "want object"},
		{"null where not nullable", ref("Settings"), map[string]any{"refuse_all_circles": nil}, "want boolean"},
		{"nullable accepts null", ref("AnnouncementPage"), map[string]any{"announcements": []any{}, "next_before_id": nil}, ""},
		{"nullable still typed", ref("AnnouncementPage"), map[string]any{"announcements": []any{}, "next_before_id": "x"}, "want integer or null"},
		{"unknown keyword", map[string]any{"type": "string", "minLength": json.Number("1")}, "x", `unknown keyword "minLength"`},
		{"dangling ref", ref("Nope"), "x", "no schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.validate(tc.schema, tc.example, tc.name)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused a right example: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// schemas validates values against the document's schemas, for the subset of JSON Schema the
// document uses. Anything else is an error, so the subset cannot grow unnoticed.
type schemas struct{ named map[string]any }

var schemaKeywords = []string{"$ref", "type", "properties", "required", "items", "enum", "additionalProperties", "format", "description"}

func newSchemas(t *testing.T, doc map[string]any) schemas {
	t.Helper()
	return schemas{named: obj(t, obj(t, doc, "components"), "schemas")}
}

// node reads a schema's keywords, refusing unknown ones, and follows a $ref.
func (s schemas) node(schema any, at string) (map[string]any, error) {
	m, ok := schema.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: schema is %T, not an object", at, schema)
	}
	for k := range m {
		if !slices.Contains(schemaKeywords, k) {
			return nil, fmt.Errorf("%s: unknown keyword %q", at, k)
		}
	}
	ref, ok := m["$ref"].(string)
	if !ok {
		return m, nil
	}
	if len(m) > 1 && !(len(m) == 2 && m["description"] != nil) {
		return nil, fmt.Errorf("%s: $ref with other keywords", at)
	}
	name, _ := strings.CutPrefix(ref, "#/components/schemas/")
	target, ok := s.named[name]
	if !ok {
		return nil, fmt.Errorf("%s: no schema %s", at, ref)
	}
	return s.node(target, at+"→"+name)
}

// check verifies a schema, without a value: keywords, references, and the schemas inside.
func (s schemas) check(schema any, at string) error {
	m, err := s.node(schema, at)
	if err != nil || m["$ref"] != nil {
		return err
	}
	if _, err := types(m, at); err != nil {
		return err
	}
	var inner []error
	for name, p := range mapOf(m["properties"]) {
		inner = append(inner, s.check(p, at+"."+name))
	}
	if it, ok := m["items"]; ok {
		inner = append(inner, s.check(it, at+"[]"))
	}
	if ap, ok := m["additionalProperties"]; ok && ap != false {
		inner = append(inner, s.check(ap, at+".*"))
	}
	for _, err := range inner {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s schemas) validate(schema, v any, at string) error {
	m, err := s.node(schema, at)
	if err != nil {
		return err
	}
	want, err := types(m, at)
	if err != nil {
		return err
	}
	if got := jsonType(v); len(want) > 0 && !slices.Contains(want, got) && !(got == "integer" && slices.Contains(want, "number")) {
		return fmt.Errorf("%s: %s, want %s", at, got, strings.Join(want, " or "))
	}
	if enum, ok := m["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
	}
	switch v := v.(type) {
	case map[string]any:
		return s.validateObject(m, v, at)
	case []any:
		if items, ok := m["items"]; ok {
			for i, x := range v {
				if err := s.validate(items, x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s schemas) validateObject(m, v map[string]any, at string) error {
	req, _ := m["required"].([]any)
	for _, r := range req {
		if _, ok := v[r.(string)]; !ok {
			return fmt.Errorf("%s: missing %q", at, r)
		}
	}
	props := mapOf(m["properties"])
	for _, k := range sortedKeys(v) {
		p, ok := props[k]
		if !ok {
			p, ok = m["additionalProperties"]
		}
		switch {
		case !ok:
			continue
		case p == false:
			return fmt.Errorf("%s: unknown property %q", at, k)
		}
		if err := s.validate(p, v[k], at+"."+k); err != nil {
			return err
		}
	}
	return nil
}

// types is a schema's type keyword as a list: one name, or several for a nullable value.
func types(m map[string]any, at string) ([]string, error) {
	var out []string
	switch t := m["type"].(type) {
	case nil:
	case string:
		out = []string{t}
	case []any:
		for _, x := range t {
			s, _ := x.(string)
			out = append(out, s)
		}
	default:
		return nil, fmt.Errorf("%s: type is %T", at, t)
	}
	for _, t := range out {
		if !slices.Contains([]string{"object", "array", "string", "integer", "number", "boolean", "null"}, t) {
			return nil, fmt.Errorf("%s: unknown type %q", at, t)
		}
	}
	return out, nil
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "number"
		}
		return "integer"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// walkSchemas calls fn with every schema of the document: the named ones and every "schema"
// of a parameter, header, request or response.
func walkSchemas(doc map[string]any, fn func(at string, schema any)) {
	for name, s := range mapOf(mapOf(doc["components"])["schemas"]) {
		fn("components.schemas."+name, s)
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch k {
				case "schema":
					fn(at, x)
				case "example", "schemas":
				default:
					walk(at+"."+k, x)
				}
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", at, i), x)
			}
		}
	}
	walk("", doc)
}

func forEachOperation(t *testing.T, doc map[string]any, fn func(at, path string, op map[string]any)) {
	t.Helper()
	paths := obj(t, doc, "paths")
	for _, path := range sortedKeys(paths) {
		item := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			op := item[method].(map[string]any)
			if _, ok := op["parameters"]; !ok {
				op["parameters"] = []any{}
			}
			fn(strings.ToUpper(method)+" "+path, path, op)
		}
	}
}

// resolve follows a local $ref to a component (a response or a parameter).
func resolve(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m := v.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	var cur any = doc
	for _, p := range parts {
		cur = mapOf(cur)[p]
	}
	if cur == nil {
		t.Fatalf("dangling %s", ref)
	}
	return cur.(map[string]any)
}

func obj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("%s is not an object", key)
	}
	return v
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
