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
