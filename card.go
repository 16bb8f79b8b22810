package qrcircles

import (
	"slices"
	"strings"
)

// Card is one person's business card (名片). Package resource/cards holds its rules:
// cleaning, who may see which field, exports.
type Card struct {
	DisplayName string
	Title       string
	Company     string
	Phones      []string // E.164
	Emails      []string
	Address     string
	Website     string
	Note        string
	HasAvatar   bool // the image itself is stored and served apart
}

// Field is one field of a card that its owner may show or hide.
type Field uint16

// The fields, in the order cards list them.
const (
	FieldDisplayName Field = 1 << iota
	FieldTitle
	FieldCompany
	FieldPhones
	FieldEmails
	FieldAddress
	FieldWebsite
	FieldNote
	FieldAvatar
)

// FieldSet is a set of fields.
type FieldSet uint16

// Sets with names.
const (
	FieldsNone  FieldSet = 0
	FieldsAll   FieldSet = FieldSet(FieldAvatar<<1) - 1
	FieldsBasic FieldSet = FieldSet(FieldDisplayName | FieldTitle | FieldCompany) // the default for circles joined later
)

type fieldName struct {
	f    Field
	name string
}

var fieldNames = []fieldName{
	{FieldDisplayName, "display_name"}, {FieldTitle, "title"}, {FieldCompany, "company"}, {FieldPhones, "phones"},
	{FieldEmails, "emails"}, {FieldAddress, "address"}, {FieldWebsite, "website"}, {FieldNote, "note"}, {FieldAvatar, "avatar"},
}

// String is the field's name in JSON and in the database.
func (f Field) String() string {
	for _, n := range fieldNames {
		if n.f == f {
			return n.name
		}
	}
	return "unknown"
}

// Has reports whether f is in the set.
func (s FieldSet) Has(f Field) bool { return s&FieldSet(f) != 0 }

// Names lists the set's fields by name, in card order.
func (s FieldSet) Names() []string {
	out := []string{}
	for _, n := range fieldNames {
		if s.Has(n.f) {
			out = append(out, n.name)
		}
	}
	return out
}

// String is "all", or the names separated by spaces: the stored form.
func (s FieldSet) String() string {
	if s&FieldsAll == FieldsAll {
		return "all"
	}
	return strings.Join(s.Names(), " ")
}

// ParseFields reads a list of field names; "all" and "basic" stand for those sets. The set
// always holds the display name: a circle's member list shows it anyway. A bad name is an
// EInvalid Error naming field.
func ParseFields(names []string, field string) (FieldSet, error) {
	s := FieldSet(FieldDisplayName)
	for _, name := range names {
		switch name {
		case "all":
			s |= FieldsAll
		case "basic":
			s |= FieldsBasic
		default:
			i := slices.IndexFunc(fieldNames, func(n fieldName) bool { return n.name == name })
			if i < 0 {
				return FieldsNone, Fail(EInvalid, "card.unknown_field", name, strings.Join(FieldsAll.Names(), ", ")).WithField(field)
			}
			s |= FieldSet(fieldNames[i].f)
		}
	}
	return s, nil
}

// ParseStoredFields reads what FieldSet.String wrote.
func ParseStoredFields(s string) (FieldSet, error) {
	return ParseFields(strings.Fields(s), "fields")
}

// CardSettings are what a card's owner chose to show: per circle, all fields or a subset,
// and a default for circles without a choice of their own.
type CardSettings struct {
	Default FieldSet
	Circles map[int64]FieldSet
}

// DefaultCardSettings are a new user's: the basic fields everywhere.
func DefaultCardSettings() CardSettings { return CardSettings{Default: FieldsBasic} }

// ForCircle is what the owner shows the other people of one circle.
func (s CardSettings) ForCircle(id int64) FieldSet {
	if fs, ok := s.Circles[id]; ok {
		return fs
	}
	return s.Default
}

// CardFacts are what storage knows about a card's owner and a viewer, looking in one circle
// (or none); package resource/cards turns them into what the viewer may see.
type CardFacts struct {
	OwnerID, ViewerID int64
	ViewerHoldsOwner  bool  // the viewer has the owner's card as a contact
	CircleID          int64 // 0: not looking in a circle
	OwnerIsMember     bool  // of CircleID
	ViewerIsMember    bool  // of CircleID
	ViewerOrganizes   bool  // CircleID
}
