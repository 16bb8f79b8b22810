package messagesvc

import (
	"strconv"
	"unicode"

	"qrcircles"
)

// This file holds the rules of messaging: pure functions over plain values, no HTTP, no
// database.

// MaxBody is how long an announcement or a message may be, in characters.
var MaxBody = qrcircles.TextMessageBody.Max

// CleanBody is a body as it is kept: the text rule's Clean (CRLF line ends, as browsers send
// them, made LF; the spaces around trimmed), then 1 to MaxBody characters of text, newlines and
// tabs the only control characters allowed.
func CleanBody(body string) (string, error) {
	body, err := qrcircles.TextMessageBody.Clean(body)
	if err != nil {
		return "", err
	}
	if isBlank(body) {
		return "", EmptyBody()
	}
	return body, nil
}

// EmptyBody is the answer to a message without words, or without a body at all.
func EmptyBody() error { return qrcircles.Fail(qrcircles.EInvalid, "messages.empty").WithField("body") }

func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// Reach is how a sender stands to the person they want to message.
type Reach struct {
	Self            bool // the sender is the recipient
	SharesCircle    bool // they are members of one circle, or one organizes a circle the other is in
	SenderHolds     bool // the sender holds the recipient's card as a contact
	RecipientHolds  bool // the recipient holds the sender's card: the sender is their contact
	RecipientBlocks bool // the recipient blocks messages from strangers (people not their contacts)
}

// Known reports whether the two know each other: they share a circle, or one holds the
// other's card. Only then may one message the other, or see whom they would write to.
func (r Reach) Known() bool { return r.SharesCircle || r.SenderHolds || r.RecipientHolds }

// MayMessage is who may message whom: the two must share a circle or be contacts (either
// way), and a recipient who blocks messages from strangers takes them only from their
// contacts. The refusal says no more about the setting than that.
func MayMessage(r Reach) error {
	switch {
	case r.Self:
		return qrcircles.Fail(qrcircles.EInvalid, "person.self").WithField("uid")
	case !r.Known():
		return qrcircles.Fail(qrcircles.EForbidden, "messages.strangers")
	case r.RecipientBlocks && !r.RecipientHolds:
		return qrcircles.Fail(qrcircles.EForbidden, "messages.contacts_only")
	}
	return nil
}

// MayAnnounce lets only a circle's organizer post announcements to it.
func MayAnnounce(organizerID, userID int64) error {
	if organizerID != userID {
		return qrcircles.Fail(qrcircles.EForbidden, "messages.announce_organizer")
	}
	return nil
}

// MayReadCircle lets the organizer and the members read a circle's announcements; muting a
// circle does not change that.
func MayReadCircle(organizes, member bool) error {
	if !organizes && !member {
		return qrcircles.Fail(qrcircles.EForbidden, "messages.announce_members")
	}
	return nil
}

// MayMute lets a member or the organizer mute a circle.
func MayMute(organizes, member bool) error {
	if !organizes && !member {
		return qrcircles.Fail(qrcircles.EForbidden, "messages.mute_members")
	}
	return nil
}

// Page is a window of a newest-first list: items with an ID below BeforeID (0: from the
// newest), at most Limit of them.
type Page struct {
	BeforeID int64
	Limit    int
}

// Paging limits.
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// ParsePage reads the before_id and limit query parameters; empty means the default.
func ParsePage(beforeID, limit string) (Page, error) {
	p := Page{Limit: DefaultLimit}
	if beforeID != "" {
		id, err := strconv.ParseInt(beforeID, 10, 64)
		if err != nil || id <= 0 {
			return p, qrcircles.Fail(qrcircles.EInvalid, "messages.before_id").WithField("before_id")
		}
		p.BeforeID = id
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			return p, qrcircles.Fail(qrcircles.EInvalid, "messages.limit", MaxLimit).WithField("limit")
		}
		p.Limit = n
	}
	return p, nil
}

// Next is the before_id of the page after one that returned n items with lastID the oldest,
// or 0 when that page was the last.
func (p Page) Next(n int, lastID int64) int64 {
	if n < p.Limit {
		return 0
	}
	return lastID
}
