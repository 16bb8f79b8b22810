package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// ticketLifespan bounds the time from opening a circle's page to pressing Join; it matches the
// authorization server's limit on finishing sign-in after the scan.
const ticketLifespan = 30 * time.Minute

var errBadTicket = errors.New("scan ticket is forged, expired or for another circle")

// ticket records in the Join form when the landing page was opened: the scan time. The MAC
// binds the time to the circle, so the browser can neither move nor reuse it elsewhere.
func ticket(key []byte, circleID int64, scan time.Time) string {
	unix := strconv.FormatInt(scan.Unix(), 10)
	return unix + "." + ticketMAC(key, circleID, unix)
}

func ticketMAC(key []byte, circleID int64, unix string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(circleID, 10) + "|" + unix))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkTicket returns the scan time of a ticket for circleID that is at most ticketLifespan
// old at now.
func checkTicket(key []byte, circleID int64, t string, now time.Time) (time.Time, error) {
	unix, mac, ok := strings.Cut(t, ".")
	sec, err := strconv.ParseInt(unix, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(ticketMAC(key, circleID, unix))) {
		return time.Time{}, errBadTicket
	}
	scan := time.Unix(sec, 0).UTC()
	if age := now.Sub(scan); age > ticketLifespan || age < -time.Minute {
		return time.Time{}, errBadTicket
	}
	return scan, nil
}
