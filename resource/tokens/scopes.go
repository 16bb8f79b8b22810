package tokens

// Scopes of the resource server's API. Each route needs one of a few of them; the event
// stream sends each event type only to tokens with the scope of its content.
const (
	ScopeCirclesRead   = "circles:read"   // circles, members, one's own requests; circle events
	ScopeCirclesJoin   = "circles:join"   // join through scan sessions, leave, one's own standing
	ScopeCirclesManage = "circles:manage" // create and run circles, announce
	ScopeCardsRead     = "cards:read"     // cards, contacts, card requests; card events
	ScopeCardsWrite    = "cards:write"    // one's own card, visibility, privacy, contacts
	ScopeMessagesRead  = "messages:read"  // direct messages, announcements, mutes; their events
	ScopeMessagesWrite = "messages:write" // send direct messages, mute and unmute circles
)

// IsScanSession reports whether the token is bound to one circle: a scan session, which
// carries the scan time and the circle's URL as its audience. Any token with an audience
// counts, scan time or not: every audience this server grants is a circle URL, and a token
// meant for one circle is good for nothing else.
func (p Principal) IsScanSession() bool { return !p.ScanTime.IsZero() || len(p.Audience) > 0 }
