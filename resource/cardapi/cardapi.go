// Package cardapi is the resource server's card, visibility and contact API under /api/v1:
// gin handlers that verify the bearer token, parse, and answer with cards projected for the
// viewer. Every card that leaves this package went through cards.VisibleFields (see view.go).
package cardapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles/authz/phone"
	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
	"qrcircles/resource/problem"
	"qrcircles/resource/server"
	"qrcircles/resource/tokens"
	"qrcircles/resource/usertext"
	"qrcircles/storage"
)

// Store is what the handlers need of the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	User(ctx context.Context, id int64) (storage.User, error)
	Circle(ctx context.Context, id int64) (storage.Circle, error)
	IsMember(ctx context.Context, circleID, userID int64) (bool, error)
	Card(ctx context.Context, userID int64) (cards.Card, error)
	PutCard(ctx context.Context, userID int64, c cards.Card, now time.Time) error
	PutAvatar(ctx context.Context, a storage.Avatar) error
	Avatar(ctx context.Context, userID int64) (storage.Avatar, error)
	DeleteAvatar(ctx context.Context, userID int64) error
	CardSettings(ctx context.Context, userID int64) (cards.Settings, error)
	SetCardDefault(ctx context.Context, userID int64, fs cards.FieldSet, now time.Time) error
	SetCircleVisibility(ctx context.Context, userID, circleID int64, fs cards.FieldSet, now time.Time) error
	ResetCircleVisibility(ctx context.Context, userID, circleID int64) error
	CardFacts(ctx context.Context, ownerID, viewerID, circleID int64) (cards.Facts, error)
	CircleCards(ctx context.Context, circleID int64) ([]storage.CircleCard, error)
	SharesCircle(ctx context.Context, a, b int64) (bool, error)
	MemberCircleIDs(ctx context.Context, userID int64) ([]int64, error)
	AddContact(ctx context.Context, ownerID, contactID int64, now time.Time) error
	RemoveContact(ctx context.Context, ownerID, contactID int64) error
	HoldsContact(ctx context.Context, ownerID, contactID int64) (bool, error)
	ContactIDs(ctx context.Context, ownerID int64) (map[int64]bool, error)
	ContactHolders(ctx context.Context, userID int64) ([]int64, error)
	Contacts(ctx context.Context, ownerID, contactID int64) ([]storage.ContactCard, error)
	CreateCardRequest(ctx context.Context, fromID, toID int64, kind string, now time.Time) (storage.CardRequest, bool, error)
	CardRequestsOf(ctx context.Context, userID int64, status string) (incoming, outgoing []storage.CardRequest, err error)
	DecideCardRequest(ctx context.Context, id, toID int64, accept bool, now time.Time) (storage.CardRequest, error)
	PrivacyOf(ctx context.Context, userID int64) (storage.UserPrivacy, error)
	PutPrivacy(ctx context.Context, p storage.UserPrivacy) error
}

var _ Store = (*storage.DB)(nil)

// Handler serves the card API.
type Handler struct {
	Store         Store
	Verifier      tokens.Verifier
	Events        Events // nil: NoEvents
	DefaultRegion string // for phone numbers typed without a country code
	Now           func() time.Time

	base string // the group's path, for the avatar URLs in answers
}

// Scopes of the card API.
const (
	ScopeRead  = "cards:read"
	ScopeWrite = "cards:write"
)

// Mount adds the routes to g, which is the /api/v1 group (or an engine's root group, then
// the paths get /api/v1 in front).
func (h *Handler) Mount(g *gin.RouterGroup) {
	if !strings.HasSuffix(g.BasePath(), "/api/v1") {
		g = g.Group("/api/v1")
	}
	h.base = g.BasePath()
	r := g.Group("", bearer.Authenticate(h.Verifier, true))
	read, write := bearer.Need(ScopeRead), bearer.Need(ScopeWrite)
	r.GET("/me/card", read, h.getMyCard)
	r.PUT("/me/card", write, h.putMyCard)
	r.PUT("/me/card/avatar", write, h.putAvatar)
	r.DELETE("/me/card/avatar", write, h.deleteAvatar)
	r.GET("/users/:uid/avatar", read, h.getAvatar)
	r.GET("/users/:uid/card", read, h.getUserCard)
	r.GET("/me/visibility", read, h.getVisibility)
	r.PUT("/me/visibility", write, h.putVisibility)
	r.GET("/me/privacy", read, h.getPrivacy)
	r.PUT("/me/privacy", write, h.putPrivacy)
	r.GET("/circles/:id/members/cards", read, h.circleCards)
	r.GET("/circles/:id/members.vcf", read, h.circleVCF)
	r.GET("/circles/:id/members.csv", read, h.circleCSV)
	r.POST("/users/:uid/card/deliver", write, h.deliver)
	r.POST("/users/:uid/card/request", write, h.request)
	r.GET("/me/card-requests", read, h.cardRequests)
	r.POST("/me/card-requests/:rid/accept", write, h.accept)
	r.POST("/me/card-requests/:rid/decline", write, h.decline)
	r.GET("/contacts", read, h.contacts)
	r.GET("/contacts.vcf", read, h.contactsVCF)
	r.GET("/contacts/:uid", read, h.contact) // also /contacts/{uid}.vcf
	r.DELETE("/contacts/:uid", write, h.removeContact)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

func (h *Handler) events() Events {
	if h.Events == nil {
		return NoEvents{}
	}
	return h.Events
}

func (h *Handler) normalizePhone(raw string) (string, error) {
	return phone.Normalize(raw, h.DefaultRegion)
}

// pathID reads a numeric path parameter; a bad one is a resource that does not exist.
func pathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		server.Problem(c, &problem.Error{Code: problem.ENotFound, Field: name, Message: "No such " + name + "."})
		return 0, false
	}
	return id, true
}

// fail answers with err; storage's not-found and conflict become problems.
func fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		err = &problem.Error{Code: problem.ENotFound, Message: "Not found.", Err: err}
	case errors.Is(err, storage.ErrConflict):
		err = &problem.Error{Code: problem.EConflict, Message: "This has already been decided.", Err: err}
	}
	server.Problem(c, err)
}

const maxJSONBody = 64 << 10

// bind reads a JSON body strictly; a wrong type or an unknown field is named.
func bind(c *gin.Context, v any) bool {
	err := usertext.DecodeJSON(io.LimitReader(c.Request.Body, maxJSONBody), v, true)
	if err == nil {
		return true
	}
	if _, ok := problem.As(err); ok { // a string that is not text
		server.Problem(c, err)
		return false
	}
	field := ""
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field = te.Field
	} else if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = strings.Trim(f, `"`)
	}
	server.Problem(c, &problem.Error{Code: problem.EInvalid, Field: field, Message: "The body is not valid JSON for this request.", Err: err})
	return false
}
