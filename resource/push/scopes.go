package push

import (
	"github.com/gin-gonic/gin"

	"qrcircles"
)

// scopeOf is the scope each event type needs, that of its content: a bearer token receives
// the events whose scope it holds. A type missing here goes to no token (the signed-in
// browser gets everything).
var scopeOf = map[string]string{
	qrcircles.EventCardUpdated:         qrcircles.ScopeCardsRead,
	qrcircles.EventCardDelivered:       qrcircles.ScopeCardsRead,
	qrcircles.EventCardRequested:       qrcircles.ScopeCardsRead,
	qrcircles.EventCardRequestDecided:  qrcircles.ScopeCardsRead,
	qrcircles.EventMemberJoined:        qrcircles.ScopeCirclesRead,
	qrcircles.EventMemberLeft:          qrcircles.ScopeCirclesRead,
	qrcircles.EventRequestCreated:      qrcircles.ScopeCirclesRead,
	qrcircles.EventRequestDecided:      qrcircles.ScopeCirclesRead,
	qrcircles.EventCircleUpdated:       qrcircles.ScopeCirclesRead,
	qrcircles.EventCircleCreated:       qrcircles.ScopeCirclesRead,
	qrcircles.EventMessageCreated:      qrcircles.ScopeMessagesRead,
	qrcircles.EventAnnouncementCreated: qrcircles.ScopeMessagesRead,
}

// StreamScopes are the scopes that open the stream: a token needs at least one.
var StreamScopes = []string{qrcircles.ScopeCirclesRead, qrcircles.ScopeCardsRead, qrcircles.ScopeMessagesRead}

// ScopeOf returns the scope an event type needs ("" for a type no token receives).
func ScopeOf(typ string) string { return scopeOf[typ] }

// Covered returns which event types a token with these scopes (has says which) receives.
func Covered(has func(scope string) bool) func(typ string) bool {
	return func(typ string) bool {
		s, ok := scopeOf[typ]
		return ok && has(s)
	}
}

const onlyKey = "push.only"

// Only limits the stream of this request to the event types allow lets through. An
// Authenticate calls it for a bearer token, whose scopes cover some types; without it the
// stream carries every event the user may see (the signed-in browser). It holds for the
// replay after Last-Event-ID as for the live events; a reset always goes through.
func Only(c *gin.Context, allow func(typ string) bool) { c.Set(onlyKey, allow) }

func only(c *gin.Context) func(typ string) bool {
	v, _ := c.Get(onlyKey)
	allow, _ := v.(func(typ string) bool)
	return allow
}
