package circles

import (
	"bytes"
	"errors"
	"image/png"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"qrcircles/resource/qr"
)

func testURL(code string) string { return "https://qrcircles.example/c/" + code }

// Codes found among random ones whose circle URL's QR code a ZXing-family reader misses:
// upright, and only turned a quarter.
const (
	uprightDecoyCode = "mImyW0Gc9vvpDtf_owYXSQ"
	turnedDecoyCode  = "SvsC56Is82nUcqasXyX01g"
	goodCode         = "Xk3v9QmZp2LwR7tYbN4sAA"
)

func TestDrawCode(t *testing.T) {
	tests := []struct {
		name    string
		codes   []string // the random draws, in order; the last repeats
		url     func(string) string
		want    string
		wantErr error
		draws   int
	}{
		{"readable at once", []string{goodCode}, testURL, goodCode, nil, 1},
		{"skips unreadable codes", []string{uprightDecoyCode, turnedDecoyCode, goodCode}, testURL, goodCode, nil, 3},
		{"gives up", []string{uprightDecoyCode}, testURL, "", qr.ErrUnreadable, codeDraws},
		{"content too long", []string{goodCode}, func(c string) string { return strings.Repeat(c, 200) }, "", qr.ErrTooLong, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			draws := 0
			random := func() string {
				draws++
				return tt.codes[min(draws, len(tt.codes))-1]
			}
			got, err := drawCode(random, tt.url)
			if got != tt.want || !errors.Is(err, tt.wantErr) || draws != tt.draws {
				t.Errorf("drawCode = %q, %v after %d draws; want %q, %v after %d", got, err, draws, tt.want, tt.wantErr, tt.draws)
			}
		})
	}
}

// TestDrawnCodesScan draws 300 circle codes and reads each one's QR code, the PNG as served
// at its default size, with gozxing's ordinary reader (no PURE_BARCODE): every drawn code must
// read back to its URL. The same reader also reads the random codes drawCode refused, which
// generation without the check would have used (about 1 random code in 100 fails to read; in a
// sample this size some runs meet none, so TestDrawCode's known-bad codes show that the check
// bites). A run of 2,000 codes took a minute on two cores: too long for every test run; under
// the race detector it draws 40.
func TestDrawnCodesScan(t *testing.T) {
	n := 300
	if raceDetector {
		n = 40
	}
	drawn := make([]string, n)
	draws := make([][]string, n) // every random code drawn, the last being drawn[i]
	onAllCPUs(n, func(i int) {
		var err error
		drawn[i], err = drawCode(func() string {
			draws[i] = append(draws[i], randomCode())
			return draws[i][len(draws[i])-1]
		}, testURL)
		if err != nil {
			t.Errorf("drawCode: %v", err)
		}
	})
	random := slices.Concat(draws...)
	errs := make([]error, len(random))
	onAllCPUs(len(random), func(i int) { errs[i] = readsBack(testURL(random[i])) })

	var unread []string
	for i, err := range errs {
		if err == nil {
			continue
		}
		unread = append(unread, random[i])
		if slices.Contains(drawn, random[i]) {
			t.Errorf("drew %s, whose QR code does not read: %v", random[i], err)
		}
	}
	t.Logf("%d random codes for %d drawn; %d refused; %d do not read: %v",
		len(random), n, len(random)-n, len(unread), unread)
}

// onAllCPUs calls do(i) for every i below n, on all CPUs.
func onAllCPUs(n int, do func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				do(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// readsBack reads url's QR code as the API serves it, the way a scanner app does.
func readsBack(url string) error {
	data, err := qr.PNG(url, 0)
	if err != nil {
		return err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return err
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return err
	}
	if res.GetText() != url {
		return errors.New("read " + res.GetText())
	}
	return nil
}
