//go:build race

package circles

// raceDetector: the race detector slows the QR reader about tenfold.
const raceDetector = true
