//go:build !race

package circles

const raceDetector = false
