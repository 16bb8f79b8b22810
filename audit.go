package qrcircles

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
	// A person adds a passkey to their account or removes one.
	AuditPasskeyAdd    = "passkey.add"
	AuditPasskeyRemove = "passkey.remove"
)

// AuditActions lists every audit action, for validating a query.
var AuditActions = []string{AuditLogin, AuditLogout, AuditClientCreate, AuditClientDelete,
	AuditClientRotate, AuditClientUpdate, AuditRequestApprove, AuditRequestDeny,
	AuditMemberRemove, AuditSettingsChange, AuditKeysRotate, AuditConsentGrant,
	AuditConsentWithdraw, AuditExclusionAdd, AuditExclusionRemove, AuditPasskeyAdd, AuditPasskeyRemove}
