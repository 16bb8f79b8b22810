package qrcircles

import (
	"encoding/json"
	"time"
)

// Audit actions: the security-relevant things the servers record in the audit log. They are
// stored: never rename one.
const (
	AuditLogin          = "login"
	AuditLogout         = "logout"
	AuditClientCreate   = "client.create"
	AuditClientDelete   = "client.delete"
	AuditClientRotate   = "client.rotate_secret"
	AuditClientUpdate   = "client.update" // e.g. its web origins changed
	AuditRequestApprove = "request.approve"
	AuditRequestDeny    = "request.deny"
	AuditRequestReopen  = "request.reopen" // a declined request goes back to the queue
	AuditMemberRemove   = "member.remove"
	AuditSettingsChange = "settings.change"
	AuditKeysRotate     = "keys.rotate"
	// A person allows an OAuth client their data, or withdraws that (target: the client).
	AuditConsentGrant    = "consent.grant"
	AuditConsentWithdraw = "consent.withdraw"
	// A person adds or removes a "never in the same circle as" exclusion; the entry names
	// user IDs only, never the phone number the exclusion holds.
	AuditExclusionAdd    = "exclusion.add"
	AuditExclusionRemove = "exclusion.remove"
	// A person deleted their account; the entry keeps their user ID and nothing else.
	AuditAccountDelete = "account.delete"
	// A person adds a passkey to their account or removes one.
	AuditPasskeyAdd    = "passkey.add"
	AuditPasskeyRemove = "passkey.remove"
)

// AuditActions lists every audit action, for validating a query.
var AuditActions = []string{AuditLogin, AuditLogout, AuditClientCreate, AuditClientDelete,
	AuditClientRotate, AuditClientUpdate, AuditRequestApprove, AuditRequestDeny, AuditRequestReopen,
	AuditMemberRemove, AuditSettingsChange, AuditKeysRotate, AuditConsentGrant,
	AuditConsentWithdraw, AuditExclusionAdd, AuditExclusionRemove, AuditAccountDelete, AuditPasskeyAdd, AuditPasskeyRemove}

// AuditEntry is one security-relevant event.
type AuditEntry struct {
	ID      int64
	At      time.Time
	ActorID int64  // the user who acted; 0 for the system or an admin command
	Action  string // one of AuditActions
	Target  string // what was acted on: a client ID, a circle, a user
	Detail  string // a JSON object; empty means {}
	IP      string
}

// NewAuditEntry builds an entry; detail, if any, becomes its JSON object.
func NewAuditEntry(at time.Time, action string, actorID int64, target, ip string, detail map[string]string) AuditEntry {
	e := AuditEntry{At: at, Action: action, ActorID: actorID, Target: target, IP: ip}
	if len(detail) > 0 {
		b, _ := json.Marshal(detail) // a map of strings always marshals
		e.Detail = string(b)
	}
	return e
}
