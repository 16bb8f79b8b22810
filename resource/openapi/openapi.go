// Package openapi is the OpenAPI 3.1 description of the JSON API under /api/v1, embedded in
// the binary and served as it is.
package openapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.json
var document []byte

// Handler serves the document at GET /api/v1/openapi.json. It needs no token: the document
// describes what any client may call.
func Handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "application/json", document)
	}
}
