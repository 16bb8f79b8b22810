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
	return mac(key, strconv.FormatInt(circleID, 10), unix)
}

// mac signs the parts, joined by "|", with key.
func mac(key []byte, parts ...string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// returnLifespan bounds how long the page after a scan (see signReturn) may be opened again.
const returnLifespan = 10 * time.Minute

// signReturn appends to path a proof that userID finished a scan that returns there now, so
// the page can tell that it was reached that way and not by a link.
func signReturn(key []byte, userID int64, path string, now time.Time) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	unix := strconv.FormatInt(now.Unix(), 10)
	return path + sep + "proof=" + unix + "." + mac(key, "return", strconv.FormatInt(userID, 10), path, unix)
}

// checkReturn checks the proof at the end of uri (a request's path and query) for userID.
func checkReturn(key []byte, userID int64, uri string, now time.Time) error {
	i := strings.LastIndex(uri, "proof=")
	if i < 1 || (uri[i-1] != '?' && uri[i-1] != '&') {
		return errBadTicket
	}
	path, proof := uri[:i-1], uri[i+len("proof="):]
	unix, sig, ok := strings.Cut(proof, ".")
	sec, err := strconv.ParseInt(unix, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(sig), []byte(mac(key, "return", strconv.FormatInt(userID, 10), path, unix))) {
		return errBadTicket
	}
	if age := now.Sub(time.Unix(sec, 0)); age > returnLifespan || age < -time.Minute {
		return errBadTicket
	}
	return nil
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
