package cards

import (
	"slices"
	"strings"

	"qrcircles"
)

// Field is one field of a card that its owner may show or hide.
type Field uint16

// The fields, in the order cards list them.
const (
	DisplayName Field = 1 << iota
	Title
	Company
	Phones
	Emails
	Address
	Website
	Note
	Avatar
)

// FieldSet is a set of fields.
type FieldSet uint16

// Sets with names.
const (
	None  FieldSet = 0
	All   FieldSet = FieldSet(Avatar<<1) - 1
	Basic FieldSet = FieldSet(DisplayName | Title | Company) // the default for circles joined later
)

type fieldName struct {
	f    Field
	name string
}

var fieldNames = []fieldName{
	{DisplayName, "display_name"}, {Title, "title"}, {Company, "company"}, {Phones, "phones"},
	{Emails, "emails"}, {Address, "address"}, {Website, "website"}, {Note, "note"}, {Avatar, "avatar"},
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
	if s&All == All {
		return "all"
	}
	return strings.Join(s.Names(), " ")
}

// ParseFields reads a list of field names; "all" and "basic" stand for those sets. The set
// always holds the display name: a circle's member list shows it anyway. A bad name is a
// *qrcircles.Error naming field.
func ParseFields(names []string, field string) (FieldSet, error) {
	s := FieldSet(DisplayName)
	for _, name := range names {
		switch name {
		case "all":
			s |= All
		case "basic":
			s |= Basic
		default:
			i := slices.IndexFunc(fieldNames, func(n fieldName) bool { return n.name == name })
			if i < 0 {
				return None, qrcircles.Invalid(field, "%q is not a card field; use all, basic, or some of %s.", name, strings.Join(All.Names(), ", "))
			}
			s |= FieldSet(fieldNames[i].f)
		}
	}
	return s, nil
}

// ParseStored reads what String wrote.
func ParseStored(s string) (FieldSet, error) {
	return ParseFields(strings.Fields(s), "fields")
}
