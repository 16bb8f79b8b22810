package cards

// Kind is how a viewer stands to a card's owner.
type Kind int

const (
	Stranger  Kind = iota // shares nothing with the owner that shows a card
	Self                  // the owner
	Contact               // holds the owner's card as a contact: the full card
	Member                // a fellow member of Relation.CircleID
	Organizer             // the organizer of Relation.CircleID, which the owner is a member of
)

// Relation is how a viewer stands to a card's owner, and in which circle they look.
type Relation struct {
	Kind     Kind
	CircleID int64
}

// Relate turns facts into the relation the viewer has: the closest one wins.
func Relate(f Facts) Relation {
	switch {
	case f.OwnerID != 0 && f.OwnerID == f.ViewerID:
		return Relation{Kind: Self}
	case f.ViewerHoldsOwner:
		return Relation{Kind: Contact}
	case f.CircleID == 0 || !f.OwnerIsMember:
		return Relation{Kind: Stranger}
	case f.ViewerIsMember:
		return Relation{Kind: Member, CircleID: f.CircleID}
	case f.ViewerOrganizes:
		return Relation{Kind: Organizer, CircleID: f.CircleID}
	}
	return Relation{Kind: Stranger}
}

// VisibleFields is the one rule of card privacy: the fields of an owner's card that a viewer
// with the relation may see. An organizer sees what a member sees, no more; a stranger sees
// nothing.
func VisibleFields(owner Settings, rel Relation) FieldSet {
	switch rel.Kind {
	case Self, Contact:
		return All
	case Member, Organizer:
		if rel.CircleID == 0 {
			return None
		}
		return (owner.ForCircle(rel.CircleID) | FieldSet(DisplayName)) & All
	}
	return None
}

// Project returns the card with every field outside fs blanked.
func Project(c Card, fs FieldSet) Card {
	var out Card
	if fs.Has(DisplayName) {
		out.DisplayName = c.DisplayName
	}
	if fs.Has(Title) {
		out.Title = c.Title
	}
	if fs.Has(Company) {
		out.Company = c.Company
	}
	if fs.Has(Phones) {
		out.Phones = append([]string(nil), c.Phones...)
	}
	if fs.Has(Emails) {
		out.Emails = append([]string(nil), c.Emails...)
	}
	if fs.Has(Address) {
		out.Address = c.Address
	}
	if fs.Has(Website) {
		out.Website = c.Website
	}
	if fs.Has(Note) {
		out.Note = c.Note
	}
	out.HasAvatar = fs.Has(Avatar) && c.HasAvatar
	return out
}

// ForViewer is VisibleFields then Project: the card as this viewer may see it, and the fields
// they may see.
func ForViewer(c Card, owner Settings, rel Relation) (Card, FieldSet) {
	fs := VisibleFields(owner, rel)
	return Project(c, fs), fs
}

// NeedsConsent reports whether a card delivered to someone waits for them to accept it: when
// they refuse cards from strangers and the sender is not among their contacts yet.
func NeedsConsent(refuseStrangerCards, holdsSender bool) bool {
	return refuseStrangerCards && !holdsSender
}

// Filled is the set of c's fields that hold something: what a contact saved from c holds.
func Filled(c Card) FieldSet {
	var fs FieldSet
	add := func(f Field, filled bool) {
		if filled {
			fs |= FieldSet(f)
		}
	}
	add(DisplayName, c.DisplayName != "")
	add(Title, c.Title != "")
	add(Company, c.Company != "")
	add(Phones, len(c.Phones) > 0)
	add(Emails, len(c.Emails) > 0)
	add(Address, c.Address != "")
	add(Website, c.Website != "")
	add(Note, c.Note != "")
	add(Avatar, c.HasAvatar)
	return fs
}

// BasicOnly reports whether a view of a card shows at most the basic fields, so that asking
// for the full card would show more.
func BasicOnly(visible FieldSet) bool { return visible&^Basic == 0 }
