package qrcircles

import "strings"

// Outcome is what happens to a join request.
type Outcome string

const (
	Admit  Outcome = "admit"
	Queue  Outcome = "queue"
	Refuse Outcome = "refuse"
)

// Reason explains a Queue or Refuse outcome. Reasons are stored with the request, so their
// values never change.
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
)

// Decision is the outcome of one join request and the reasons for it; package
// resource/admission makes it.
type Decision struct {
	Outcome Outcome
	Reasons []Reason
}

// ReasonsText is reasons in one string, separated by spaces: as requests store them and
// events carry them.
func ReasonsText(reasons []Reason) string {
	s := make([]string, len(reasons))
	for i, r := range reasons {
		s[i] = string(r)
	}
	return strings.Join(s, " ")
}
