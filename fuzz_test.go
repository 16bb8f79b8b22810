package qrcircles

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzWrite: any error becomes a problem+json document that decodes to the body BodyOf
// gives, with the status of its code, a type under ProblemTypeBase, Retry-After that agrees with
// the body, and nothing of the cause of a server error.
func FuzzWrite(f *testing.F) {
	for _, c := range []string{EInvalid, ENotFound, EConflict, EUnauthorized, EForbidden, EGone, ETooMany, EUnavailable, EInternal, "", "made-up"} {
		f.Add(c, "No such circle.", "title", int64(1500), "/api/v1/circles/1", "cause: password=hunter2", true)
	}
	f.Add(EInvalid, "caf\xe9 \x00 \u2028 </script>", "a\"b", int64(-1), "/x\xff", "", false)
	f.Add(ETooMany, "", "", int64(1), "/", "", true)
	f.Add(EUnauthorized, "0", "\xff\x80", int64(1500), "0", "0", true) // found by fuzzing: a field that is not UTF-8
	f.Fuzz(func(t *testing.T, code, message, field string, retryMillis int64, path, cause string, typed bool) {
		var err error = errors.New(cause)
		if typed {
			err = &Error{Code: code, Message: message, Field: field, RetryAfter: time.Duration(retryMillis) * time.Millisecond, Err: err}
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path = path
		rec := httptest.NewRecorder()
		WriteProblem(rec, req, "rid", err)

		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("Content-Type %q", ct)
		}
		var b Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, rec.Body.Bytes())
		}
		want := ProblemOf(err)
		want.Instance, want.RequestID = path, "rid"
		if b.Status != rec.Code || b.Status != HTTPStatus(CodeOf(err)) || http.StatusText(b.Status) != b.Title || !strings.HasPrefix(b.Type, ProblemTypeBase) {
			t.Fatalf("status %d, body %+v", rec.Code, b)
		}
		if b.Detail != asJSON(want.Detail) || b.Field != asJSON(want.Field) || b.Instance != asJSON(path) || b.RetryAfter != want.RetryAfter {
			t.Fatalf("decoded %+v, want %+v", b, want)
		}
		if ra := rec.Header().Get("Retry-After"); (ra == "") != (b.RetryAfter == 0) || (ra != "" && ra != strconv.Itoa(b.RetryAfter)) || b.RetryAfter < 0 {
			t.Fatalf("Retry-After %q, retry_after %d", ra, b.RetryAfter)
		}
		if b.Status == http.StatusInternalServerError && (b.Detail != "Something went wrong on our side. Please try again." || b.Type != ProblemTypeBase+EInternal) {
			t.Fatalf("a server error says more than that something went wrong: %+v", b)
		}
	})
}

// asJSON is s as encoding/json writes it: each byte that is not UTF-8 becomes U+FFFD.
func asJSON(s string) string { return string([]rune(s)) }
