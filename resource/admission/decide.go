package admission

import (
	"slices"
	"strings"
	"time"

	"qrcircles"
)

// Applicant is the person asking to join.
type Applicant struct {
	UserID int64
	Phone  string // verified E.164
	// Listed, when set, says whether the phone is on the circle's allowlist, for a caller
	// that looked it up instead of loading the list into Rules.Allowlist: the allowlist rule
	// is then set, and matches when *Listed.
	Listed *bool
}

// State is what the caller knows about the circle and the applicant at decision time.
type State struct {
	Members    int  // current member count
	Excluded   bool // the applicant and a current member have an exclusion between them (either way)
	RefusesAll bool // the applicant's setting "refuse to join any circle"
}

// Decide decides one join request scanned at scan. Refusals come first because no organizer
// approval may override them; the cap is checked in every mode so it is never exceeded.
func Decide(r qrcircles.Rules, a Applicant, scan time.Time, s State) qrcircles.Decision {
	if reason, refused := refusal(r, s); refused {
		return qrcircles.Decision{Outcome: qrcircles.Refuse, Reasons: []qrcircles.Reason{reason}}
	}
	switch r.Mode {
	case "", qrcircles.ModeRules:
		return queueIfAny(failing(r, a, scan, s.Members))
	case qrcircles.ModeOpen:
		return queueIfAny(capFailing(r, s.Members))
	default:
		// ModeReview, and any unknown mode: a typo must never admit people the organizer
		// meant to review.
		reasons := append([]qrcircles.Reason{qrcircles.ReasonReview}, failing(r, a, scan, s.Members)...)
		return qrcircles.Decision{Outcome: qrcircles.Queue, Reasons: reasons}
	}
}

func refusal(r qrcircles.Rules, s State) (qrcircles.Reason, bool) {
	switch {
	case r.Closed:
		return qrcircles.ReasonClosed, true
	case s.RefusesAll:
		return qrcircles.ReasonRefusesAll, true
	case s.Excluded:
		return qrcircles.ReasonExcluded, true
	}
	return "", false
}

func queueIfAny(reasons []qrcircles.Reason) qrcircles.Decision {
	if len(reasons) == 0 {
		return qrcircles.Decision{Outcome: qrcircles.Admit}
	}
	return qrcircles.Decision{Outcome: qrcircles.Queue, Reasons: reasons}
}

// failing lists every rule the request breaks, in the stable order window, range, cap.
func failing(r qrcircles.Rules, a Applicant, scan time.Time, members int) []qrcircles.Reason {
	var reasons []qrcircles.Reason
	if ok, reason := InWindow(r, scan); !ok {
		reasons = append(reasons, reason)
	}
	if !InRange(r, a) {
		reasons = append(reasons, qrcircles.ReasonNotInRange)
	}
	return append(reasons, capFailing(r, members)...)
}

func capFailing(r qrcircles.Rules, members int) []qrcircles.Reason {
	if r.Cap > 0 && members >= r.Cap {
		return []qrcircles.Reason{qrcircles.ReasonCapReached}
	}
	return nil
}

// InWindow reports whether scan falls in the inclusive scan window, and if not, on which side.
func InWindow(r qrcircles.Rules, scan time.Time) (bool, qrcircles.Reason) {
	if !r.NotBefore.IsZero() && scan.Before(r.NotBefore) {
		return false, qrcircles.ReasonBeforeWindow
	}
	if !r.NotAfter.IsZero() && scan.After(r.NotAfter) {
		return false, qrcircles.ReasonAfterWindow
	}
	return true, ""
}

// InRange reports whether the applicant's identity passes: true when no identity rule is set,
// or when any prefix, phone range, user-ID range or allowlist entry matches.
func InRange(r qrcircles.Rules, a Applicant) bool {
	if !hasIdentityRule(r, a) {
		return true
	}
	return idMatches(r, a.UserID) || phoneMatches(r, a.Phone) || (a.Listed != nil && *a.Listed && isE164(a.Phone, 2))
}

func hasIdentityRule(r qrcircles.Rules, a Applicant) bool {
	return len(r.PhonePrefixes)+len(r.PhoneRanges)+len(r.UserIDRanges)+len(r.Allowlist) > 0 || a.Listed != nil
}

func idMatches(r qrcircles.Rules, id int64) bool {
	return slices.ContainsFunc(r.UserIDRanges, func(ir qrcircles.IDRange) bool {
		return ir.From <= id && id <= ir.To
	})
}

// phoneMatches ignores a malformed phone, prefix or range end, so that rules that were not
// validated fail closed: an empty prefix, or a range from "0", matches nobody.
func phoneMatches(r qrcircles.Rules, phone string) bool {
	if !isE164(phone, 2) {
		return false
	}
	return slices.Contains(r.Allowlist, phone) ||
		slices.ContainsFunc(r.PhonePrefixes, func(p string) bool {
			return isE164(p, 1) && strings.HasPrefix(phone, p)
		}) ||
		slices.ContainsFunc(r.PhoneRanges, func(pr qrcircles.PhoneRange) bool {
			return isE164(pr.From, 2) && isE164(pr.To, 2) && comparePhones(pr.From, phone) <= 0 && comparePhones(phone, pr.To) <= 0
		})
}
