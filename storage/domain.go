package storage

import (
	"time"

	"qrcircles"
)

// The domain's types (package qrcircles) that storage reads and writes, by the short names
// its queries use and callers outside it still name. They are the same types, not copies: a
// service passes a qrcircles.Circle and storage stores it. An alias goes when nothing
// outside storage names it any more.
type (
	User         = qrcircles.User
	UserPrivacy  = qrcircles.UserPrivacy
	Exclusion    = qrcircles.Exclusion
	Circle       = qrcircles.Circle
	JoinRequest  = qrcircles.JoinRequest
	JoinOutcome  = qrcircles.JoinOutcome
	Member       = qrcircles.Member
	Avatar       = qrcircles.Avatar
	ContactCard  = qrcircles.ContactCard
	CircleCard   = qrcircles.CircleCard
	CardRequest  = qrcircles.CardRequest
	Announcement = qrcircles.Announcement
	Message      = qrcircles.Message
	Conversation = qrcircles.Conversation
	CircleMute   = qrcircles.CircleMute
	Event        = qrcircles.Event
	AuditEntry   = qrcircles.AuditEntry
	OAuthClient  = qrcircles.OAuthClient
)

// Join request states and card request kinds and states, as stored.
const (
	RequestWaiting  = qrcircles.RequestWaiting
	RequestAdmitted = qrcircles.RequestAdmitted
	RequestDenied   = qrcircles.RequestDenied
	RequestRefused  = qrcircles.RequestRefused
	RequestLeft     = qrcircles.RequestLeft
	RequestRemoved  = qrcircles.RequestRemoved

	CardDeliver  = qrcircles.CardDeliver
	CardAsk      = qrcircles.CardAsk
	CardWaiting  = qrcircles.CardWaiting
	CardAccepted = qrcircles.CardAccepted
	CardDeclined = qrcircles.CardDeclined
)

// NewAuditEntry is qrcircles.NewAuditEntry, for the callers that still name storage's.
func NewAuditEntry(at time.Time, action string, actorID int64, target, ip string, detail map[string]string) qrcircles.AuditEntry {
	return qrcircles.NewAuditEntry(at, action, actorID, target, ip, detail)
}
