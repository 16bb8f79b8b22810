// Package audit names the security-relevant actions the server records and the one method it
// needs to record them.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"qrcircles/storage"
)

// Actions. They are stored: never rename one.
const (
	Login          = "login"
	Logout         = "logout"
	ClientCreate   = "client.create"
	ClientDelete   = "client.delete"
	ClientRotate   = "client.rotate_secret"
	ClientUpdate   = "client.update" // e.g. its web origins changed
	RequestApprove = "request.approve"
	RequestDeny    = "request.deny"
	MemberRemove   = "member.remove"
	SettingsChange = "settings.change"
	KeysRotate     = "keys.rotate"
	// A person allows an OAuth client their data, or withdraws that (target: the client).
	ConsentGrant    = "consent.grant"
	ConsentWithdraw = "consent.withdraw"
	// A person adds or removes a "never in the same circle as" exclusion; the entry names
	// user IDs only, never the phone number the exclusion holds.
	ExclusionAdd    = "exclusion.add"
	ExclusionRemove = "exclusion.remove"
)

// Actions lists every action, for validating a query.
var Actions = []string{Login, Logout, ClientCreate, ClientDelete, ClientRotate, ClientUpdate,
	RequestApprove, RequestDeny, MemberRemove, SettingsChange, KeysRotate,
	ConsentGrant, ConsentWithdraw, ExclusionAdd, ExclusionRemove}

// Recorder stores audit entries; *storage.DB is one. Inside storage.InTx the entry joins the
// transaction.
type Recorder interface {
	AddAudit(ctx context.Context, e storage.AuditEntry) error
}

var _ Recorder = (*storage.DB)(nil)

// Entry builds an entry; detail, if any, becomes its JSON object.
func Entry(at time.Time, action string, actorID int64, target, ip string, detail map[string]string) storage.AuditEntry {
	e := storage.AuditEntry{At: at, Action: action, ActorID: actorID, Target: target, IP: ip}
	if len(detail) > 0 {
		b, _ := json.Marshal(detail) // a map of strings always marshals
		e.Detail = string(b)
	}
	return e
}
