package admission

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"
)

// SlotLength is how long one rotating code of an on-site-only circle is shown.
const SlotLength = 30 * time.Second

// slotTokenBytes keeps the token short, so the QR code stays easy to scan from the back of a
// room; 64 bits are far more than can be guessed within the minute a token lives.
const slotTokenBytes = 8

// Slot numbers the 30-second slot that holds t.
func Slot(t time.Time) int64 {
	sec := t.Unix()
	n := int64(SlotLength / time.Second)
	if sec < 0 {
		return (sec - n + 1) / n
	}
	return sec / n
}

// SlotStart is when slot begins.
func SlotStart(slot int64) time.Time {
	return time.Unix(slot*int64(SlotLength/time.Second), 0).UTC()
}

// SlotToken is the token of a circle's code for one slot: an HMAC of the code and the slot
// under key (derived from the server's secret), so that only the server can make it and a
// token says nothing about other slots or circles.
func SlotToken(key []byte, code string, slot int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("on-site|" + code + "|" + strconv.FormatInt(slot, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:slotTokenBytes])
}

// ScannedOnSite reports whether token, carried by a scan of code made at scan, is the token
// of that slot or of the one before: the code on the projector was current when scanned
// (the previous slot covers a scan just as the code changed). A forged token, one of another
// circle, an older one, and no token at all are not.
func ScannedOnSite(key []byte, code, token string, scan time.Time) bool {
	if token == "" {
		return false
	}
	slot := Slot(scan)
	ok := false
	for _, s := range []int64{slot, slot - 1} {
		// Both compared every time, in constant time: the answer's timing tells nothing.
		ok = hmac.Equal([]byte(token), []byte(SlotToken(key, code, s))) || ok
	}
	return ok
}
