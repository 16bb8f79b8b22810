package server

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
)

// The helpers every JSON API handler of the resource server uses: path IDs and body binding.
// Errors are answered with Problem, which maps every error, storage's too, to problem+json.

// pathNotFound is what a malformed numeric path parameter answers, per parameter: each
// parameter names one kind of thing throughout the API.
var pathNotFound = map[string]string{
	"id":  "circles.not_found",
	"rid": "api.no_such_request",
	"uid": "api.no_such_user",
	"xid": "circles.exclusion_not_found",
}

// PathID reads the numeric path parameter name; a malformed one is a resource that does not
// exist, and is answered 404.
func PathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		key, ok := pathNotFound[name]
		if !ok {
			key = "error.not_found"
		}
		Problem(c, qrcircles.Fail(qrcircles.ENotFound, key).WithField(name))
		return 0, false
	}
	return id, true
}

// BindJSON reads the request body into v strictly: malformed JSON, a wrong type or an
// unknown field is answered 400, naming the field when it can, and a string that is not text
// is refused by the text rule before decoding would hide it. The body is already held to its
// route's limit by the engine (limitBodies), so nothing here reads more than that.
func BindJSON(c *gin.Context, v any) bool {
	err := qrcircles.DecodeTextJSON(c.Request.Body, v, true)
	if err == nil {
		return true
	}
	if _, ok := qrcircles.ErrorOf(err); ok { // the text rule's own answer
		Problem(c, err)
		return false
	}
	Problem(c, qrcircles.Fail(qrcircles.EInvalid, "api.bad_json").WithField(badField(err)).WithCause(err))
	return false
}

// badField is the JSON field a decoding error is about, or "".
func badField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return strings.Trim(f, `"`)
	}
	return ""
}
