// Package cardapi is the resource server's card, visibility and contact API under /api/v1:
// gin handlers that verify the bearer token, parse, call the card service and answer with
// the cards it projected for the viewer.
package cardapi

import (
	"context"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
	"qrcircles/resource/cardsvc"
	"qrcircles/resource/settingsvc"
)

// Cards is what the card API asks of the card service (cardsvc.Service).
type Cards interface {
	Card(ctx context.Context, userID int64) (qrcircles.Card, error)
	SaveCard(ctx context.Context, userID int64, c qrcircles.Card) (qrcircles.Card, error)
	SaveAvatar(ctx context.Context, userID int64, data []byte) (string, error)
	RemoveAvatar(ctx context.Context, userID int64) error
	AvatarFor(ctx context.Context, ownerID, viewerID, circleID int64) (qrcircles.Avatar, error)
	CardFor(ctx context.Context, ownerID, viewerID, circleID int64) (qrcircles.Card, qrcircles.FieldSet, error)
	Visibility(ctx context.Context, userID int64) (qrcircles.CardSettings, []int64, error)
	ChangeVisibility(ctx context.Context, userID int64, def *[]string, circles map[string]*[]string) error
	CircleCards(ctx context.Context, viewerID, circleID int64, photos bool) ([]cards.Entry, qrcircles.Circle, error)
	Contacts(ctx context.Context, viewerID, contactID int64, photos bool) ([]cards.Entry, error)
	DeliverCard(ctx context.Context, from, to int64) (string, qrcircles.CardRequest, error)
	RequestCard(ctx context.Context, from, to int64) (qrcircles.CardRequest, error)
	DecideCardRequest(ctx context.Context, userID, requestID int64, accept bool) (qrcircles.CardRequest, error)
	CardRequests(ctx context.Context, userID int64, status string) (incoming, outgoing []qrcircles.CardRequest, err error)
	RemoveContact(ctx context.Context, ownerID, contactID int64) error
	FaceCode(userID int64) (string, time.Time, error)
	ExchangeFaceToFace(ctx context.Context, scanner int64, code string) (int64, string, qrcircles.CardRequest, error)
}

var _ Cards = (*cardsvc.Service)(nil)

// Privacy is what the card API asks of the settings service (settingsvc.Service).
type Privacy interface {
	Privacy(ctx context.Context, userID int64) (qrcircles.UserPrivacy, error)
	SetPrivacy(ctx context.Context, userID int64, refuseStrangerCards, blockStrangerMessages *bool) error
}

var _ Privacy = (*settingsvc.Service)(nil)

// Handler serves the card API.
type Handler struct {
	Cards    Cards
	Privacy  Privacy
	Verifier qrcircles.Verifier
	// PublicURL is the server's base URL personal QR codes point under.
	PublicURL string

	base string // the group's path, for the avatar URLs in answers
}

// Scopes of the card API.
const (
	ScopeRead  = qrcircles.ScopeCardsRead
	ScopeWrite = qrcircles.ScopeCardsWrite
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
