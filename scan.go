package qrcircles

import "time"

// ScanResult is a completed browser scan: who scanned which circle, and when. The
// authorization server hands it to the pages once the scan session is issued.
type ScanResult struct {
	UserID    int64
	CircleURL string
	ScanTime  time.Time // the server's time when the circle's page was opened
	ReturnTo  string    // the relative address the scan was started with; "" for the circle's pages
}

// PendingScan is a browser's scan between opening a circle's page and coming back signed in:
// the server keeps the scan time, so minutes spent registering do not move it.
type PendingScan struct {
	StateHash   string
	BindingHash string
	Verifier    string
	CircleURL   string
	ReturnTo    string // where the browser goes after joining: "" for the circle's own pages
	ScanTime    time.Time
	CreatedAt   time.Time
}
