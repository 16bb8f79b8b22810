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
	"id":  "No such circle. / 没有这个圈子。",
	"rid": "No such request. / 没有这个请求。",
	"uid": "No such user. / 没有这个用户。",
	"xid": "No such exclusion. / 没有这个排除设置。",
}

// PathID reads the numeric path parameter name; a malformed one is a resource that does not
// exist, and is answered 404.
func PathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		msg, ok := pathNotFound[name]
		if !ok {
			msg = "Not found. / 未找到。"
		}
		Problem(c, &qrcircles.Error{Code: qrcircles.ENotFound, Field: name, Message: msg})
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
	Problem(c, &qrcircles.Error{Code: qrcircles.EInvalid, Field: badField(err),
		Message: "The body is not valid JSON for this request. / 请求内容不是有效的 JSON。", Err: err})
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
