package storage

import (
	"time"

	"qrcircles"
)

// The domain's types under the names they had when storage declared them, for the handlers
// and services that still name them so (the authorization server names the root's). An
// alias goes when nothing outside storage names it any more.
type (
	User        = qrcircles.User
	Circle      = qrcircles.Circle
	AuditEntry  = qrcircles.AuditEntry
	OAuthClient = qrcircles.OAuthClient
)

// NewAuditEntry is qrcircles.NewAuditEntry, for the callers that still name storage's.
func NewAuditEntry(at time.Time, action string, actorID int64, target, ip string, detail map[string]string) qrcircles.AuditEntry {
	return qrcircles.NewAuditEntry(at, action, actorID, target, ip, detail)
}
