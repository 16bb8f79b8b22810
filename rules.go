package qrcircles

import "time"

// Mode says how a circle admits applicants.
type Mode string

const (
	ModeRules  Mode = "rules"  // admit when every rule passes, queue otherwise
	ModeReview Mode = "review" // queue everyone for the organizer
	ModeOpen   Mode = "open"   // admit anyone while the cap allows
)

// PhoneRange is an inclusive range of E.164 numbers. Ranges stored before the JSON keys
// were lower case ({"From":…,"To":…}) still decode: encoding/json matches keys without
// regard to case.
type PhoneRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// IDRange is an inclusive range of user IDs.
type IDRange struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// Rules are the admission rules of one circle; package resource/admission validates them
// and decides a join request by them.
type Rules struct {
	NotBefore, NotAfter time.Time // scan window, inclusive; zero = unbounded on that side
	PhonePrefixes       []string  // E.164 prefixes, e.g. "+86138"
	PhoneRanges         []PhoneRange
	UserIDRanges        []IDRange
	Allowlist           []string // E.164 phones
	Cap                 int      // 0 = no cap
	Mode                Mode     // "" means ModeRules
	Closed              bool
	OnSite              OnSite // "" (off): where the code was scanned does not matter
}

// OnSite says what becomes of a scan that does not prove presence: one whose code was not
// the projector's current rotating code (see admission.SlotToken).
type OnSite string

const (
	OnSiteOff    OnSite = ""
	OnSiteReview OnSite = "review" // it waits for the organizer, with the reason "not scanned on site"
	OnSiteRefuse OnSite = "refuse" // it is refused
)

// DefaultCircleSMSBudget is a circle's daily budget of sign-in codes when the organizer set
// no expected attendance and no member cap.
const DefaultCircleSMSBudget = 1000

// CircleSMSBudget is the sign-in codes a day that sign-ins starting at a circle's page may
// use, whatever network they come from: the expected attendance the organizer set, else the
// member cap, else DefaultCircleSMSBudget.
func CircleSMSBudget(expected, memberCap int) int {
	switch {
	case expected > 0:
		return expected
	case memberCap > 0:
		return memberCap
	}
	return DefaultCircleSMSBudget
}
