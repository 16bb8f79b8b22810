package qrcircles

// Steps of the join funnel that only a counter can know: nothing else is stored when a
// landing page is opened, or when a browser comes back signed in from a scan.
const (
	FunnelOpened   = "opened"
	FunnelSignedIn = "signed_in"
)

// Funnel is how far the people who met a circle's code got.
type Funnel struct {
	Opened, SignedIn int64 // the counters
	Requests         int64 // everyone who asked to join, whatever became of it
	Joined           int64 // admitted, whether or not still a member
	Waiting          int64
	Refused          int64 // refused by the rules or declined by the organizer
	Reasons          map[Reason]int64
}

// Count adds one request, in its status with its reasons, to the funnel; the reasons of
// requests that did not end in membership are counted.
func (f *Funnel) Count(status string, reasons []Reason) {
	f.Requests++
	switch status {
	case RequestAdmitted, RequestLeft, RequestRemoved:
		f.Joined++
		return
	case RequestWaiting:
		f.Waiting++
	default:
		f.Refused++
	}
	for _, r := range reasons {
		f.Reasons[r]++
	}
}
