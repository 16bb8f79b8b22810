package admission

import "qrcircles"

// Describe returns the applicant's sentence for reason (admission.reason.* in the root
// catalog). They speak to the applicant about themselves and never name another person; the
// organizer's sentences, with the rule and the value, are Explain's. An unknown reason's
// key is not in the catalog, and shows as itself.
func Describe(reason qrcircles.Reason) qrcircles.Words {
	return qrcircles.Say("admission.reason." + string(reason))
}
