// Package cardapi is the resource server's card, visibility and contact API under /api/v1:
// gin handlers that verify the bearer token, parse, and answer with cards projected for the
// viewer. Every card that leaves this package went through cards.VisibleFields (see view.go).
package cardapi

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
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
	Store    Store
	Verifier qrcircles.Verifier
	Events   Events // nil: NoEvents
	// NormalizePhone turns a phone number as a person types it into E.164, or an EInvalid
	// error on the field "phone"; the binary wires the authorization server's, with the
	// default region.
	NormalizePhone func(input string) (string, error)
	Now            func() time.Time
	// FaceKey seals personal QR codes (32 bytes, derived from the system secret), and
	// PublicURL is the server's base URL they point under.
	FaceKey   []byte
	PublicURL string

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
	r.GET("/me/card/code", read, h.getFaceCode)
	r.POST("/cards/exchange", write, h.exchange)
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
	if h.NormalizePhone == nil {
		return "", errors.New("cardapi: the handler has no NormalizePhone")
	}
	return h.NormalizePhone(raw)
}
