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
}

// State is what the caller knows about the circle and the applicant at decision time.
type State struct {
	Members    int  // current member count
	Excluded   bool // the applicant and a current member have an exclusion between them (either way)
	RefusesAll bool // the applicant's setting "refuse to join any circle"
	OnSite     bool // the scan carried the projector's current (or previous) slot token
}

// Outcome is what happens to a join request.
type Outcome string

const (
	Admit  Outcome = "admit"
	Queue  Outcome = "queue"
	Refuse Outcome = "refuse"
)

// Reason explains a Queue or Refuse outcome.
type Reason string

const (
	ReasonBeforeWindow Reason = "scan_before_window"
	ReasonAfterWindow  Reason = "scan_after_window"
	ReasonNotInRange   Reason = "identity_not_in_range"
	ReasonCapReached   Reason = "cap_reached"
	ReasonReview       Reason = "review_required"
	ReasonClosed       Reason = "circle_closed"
	ReasonExcluded     Reason = "excluded" // never shown to the applicant as such
	ReasonRefusesAll   Reason = "refuses_circles"
	ReasonNotOnSite    Reason = "not_on_site" // an on-site-only circle, scanned without a current slot token
)

// Decision is the outcome of one join request and the reasons for it.
type Decision struct {
	Outcome Outcome
	Reasons []Reason
}

// Decide decides one join request scanned at scan. Refusals come first because no organizer
// approval may override them; the cap is checked in every mode so it is never exceeded.
func Decide(r qrcircles.Rules, a Applicant, scan time.Time, s State) Decision {
	if reason, refused := refusal(r, s); refused {
		return Decision{Outcome: Refuse, Reasons: []Reason{reason}}
	}
	switch r.Mode {
	case "", qrcircles.ModeRules:
		return queueIfAny(failing(r, a, scan, s))
	case qrcircles.ModeOpen:
		return queueIfAny(append(onSiteFailing(r, s), capFailing(r, s.Members)...))
	default:
		// ModeReview, and any unknown mode: a typo must never admit people the organizer
		// meant to review.
		reasons := append([]Reason{ReasonReview}, failing(r, a, scan, s)...)
		return Decision{Outcome: Queue, Reasons: reasons}
	}
}

func refusal(r qrcircles.Rules, s State) (Reason, bool) {
	switch {
	case r.Closed:
		return ReasonClosed, true
	case s.RefusesAll:
		return ReasonRefusesAll, true
	case s.Excluded:
		return ReasonExcluded, true
	case r.OnSite == qrcircles.OnSiteRefuse && !s.OnSite:
		return ReasonNotOnSite, true
	}
	return "", false
}

func queueIfAny(reasons []Reason) Decision {
	if len(reasons) == 0 {
		return Decision{Outcome: Admit}
	}
	return Decision{Outcome: Queue, Reasons: reasons}
}

// failing lists every rule the request breaks, in the stable order on site, window, range,
// cap.
func failing(r qrcircles.Rules, a Applicant, scan time.Time, s State) []Reason {
	reasons := onSiteFailing(r, s)
	if ok, reason := InWindow(r, scan); !ok {
		reasons = append(reasons, reason)
	}
	if !InRange(r, a) {
		reasons = append(reasons, ReasonNotInRange)
	}
	return append(reasons, capFailing(r, s.Members)...)
}

// onSiteFailing queues a scan of an on-site-only circle that did not prove presence; in
// every mode, so that a forwarded photo of the code never admits anyone by itself.
func onSiteFailing(r qrcircles.Rules, s State) []Reason {
	if r.OnSite != qrcircles.OnSiteOff && !s.OnSite {
		return []Reason{ReasonNotOnSite}
	}
	return nil
}

func capFailing(r qrcircles.Rules, members int) []Reason {
	if r.Cap > 0 && members >= r.Cap {
		return []Reason{ReasonCapReached}
	}
	return nil
}

// InWindow reports whether scan falls in the inclusive scan window, and if not, on which side.
func InWindow(r qrcircles.Rules, scan time.Time) (bool, Reason) {
	if !r.NotBefore.IsZero() && scan.Before(r.NotBefore) {
		return false, ReasonBeforeWindow
	}
	if !r.NotAfter.IsZero() && scan.After(r.NotAfter) {
		return false, ReasonAfterWindow
	}
	return true, ""
}

// InRange reports whether the applicant's identity passes: true when no identity rule is set,
// or when any prefix, phone range, user-ID range or allowlist entry matches.
func InRange(r qrcircles.Rules, a Applicant) bool {
	if !hasIdentityRule(r) {
		return true
	}
	return idMatches(r, a.UserID) || phoneMatches(r, a.Phone)
}

func hasIdentityRule(r qrcircles.Rules) bool {
	return len(r.PhonePrefixes)+len(r.PhoneRanges)+len(r.UserIDRanges)+len(r.Allowlist) > 0
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
