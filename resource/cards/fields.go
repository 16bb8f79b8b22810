package cards

import "qrcircles"

// The card and its fields are the domain's (package qrcircles); this package speaks of them
// by these short names.
type (
	Card     = qrcircles.Card
	Field    = qrcircles.Field
	FieldSet = qrcircles.FieldSet
	Settings = qrcircles.CardSettings
	Facts    = qrcircles.CardFacts
)

// The fields, in the order cards list them, and the named sets.
const (
	DisplayName = qrcircles.FieldDisplayName
	Title       = qrcircles.FieldTitle
	Company     = qrcircles.FieldCompany
	Phones      = qrcircles.FieldPhones
	Emails      = qrcircles.FieldEmails
	Address     = qrcircles.FieldAddress
	Website     = qrcircles.FieldWebsite
	Note        = qrcircles.FieldNote
	Avatar      = qrcircles.FieldAvatar

	None  = qrcircles.FieldsNone
	All   = qrcircles.FieldsAll
	Basic = qrcircles.FieldsBasic // the default for circles joined later
)
