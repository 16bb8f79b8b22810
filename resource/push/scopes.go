package push

import (
	"github.com/gin-gonic/gin"

	"qrcircles"
)

// scopeOf is the scope each event type needs, that of its content: a bearer token receives
// the events whose scope it holds. A type missing here goes to no token (the signed-in
// browser gets everything).
var scopeOf = map[string]string{
	CardUpdated:         qrcircles.ScopeCardsRead,
	CardDelivered:       qrcircles.ScopeCardsRead,
	CardRequested:       qrcircles.ScopeCardsRead,
	CardRequestDecided:  qrcircles.ScopeCardsRead,
	MemberJoined:        qrcircles.ScopeCirclesRead,
	MemberLeft:          qrcircles.ScopeCirclesRead,
	RequestCreated:      qrcircles.ScopeCirclesRead,
	RequestDecided:      qrcircles.ScopeCirclesRead,
	CircleUpdated:       qrcircles.ScopeCirclesRead,
	CircleCreated:       qrcircles.ScopeCirclesRead,
	MessageCreated:      qrcircles.ScopeMessagesRead,
	AnnouncementCreated: qrcircles.ScopeMessagesRead,
}

// typeSet is a set of the event types in scopeOf, a bit each (typeBits numbers them).
type typeSet uint32

// typeBits gives each event type in scopeOf its bit (past the 32nd, none: such a type is
// asked of the stream's allow each time).
type typeBits map[string]typeSet

func newTypeBits() typeBits {
	bits := typeBits{}
	for typ := range scopeOf {
		bits[typ] = 1 << len(bits)
	}
	return bits
}

// of is the set of the types allow lets through.
func (b typeBits) of(allow func(typ string) bool) typeSet {
	var set typeSet
	for typ, bit := range b {
		if allow(typ) {
			set |= bit
		}
	}
	return set
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
