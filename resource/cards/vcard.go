package cards

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"qrcircles"
)

// Entry is one card to export: its owner and the card as projected for the viewer.
type Entry struct {
	UserID int64
	Card   Card   // projected: it holds only what the viewer may see
	Photo  *Photo // written only when Card.HasAvatar says the viewer may see it
	// Fields are the fields the viewer may see, filled or not: the pages offer to ask for
	// the full card when these are only the basic ones.
	Fields FieldSet
}

// Photo is an avatar's bytes.
type Photo struct {
	ContentType string // image/jpeg or image/png
	Data        []byte
}

// Version is a vCard version.
type Version string

// The versions written: 4.0 (RFC 6350), and 3.0 (RFC 2426) for older phones.
const (
	V4 Version = "4.0"
	V3 Version = "3.0"
)

// ParseVersion reads the ?version= of an export; empty means 4.0.
func ParseVersion(s string) (Version, error) {
	switch s {
	case "", "4", "4.0":
		return V4, nil
	case "3", "3.0":
		return V3, nil
	}
	return "", qrcircles.Fail(qrcircles.EInvalid, "cards.vcard_version").WithField("version")
}

// MediaType is the Content-Type of a vCard export.
const MediaType = "text/vcard; charset=utf-8"

// WriteVCards writes the entries as vCards of version v.
func WriteVCards(w io.Writer, v Version, es []Entry) error {
	bw := bufio.NewWriter(w)
	for _, e := range es {
		for _, line := range vcardLines(v, e) {
			if _, err := bw.WriteString(fold(line)); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

func vcardLines(v Version, e Entry) []string {
	c := e.Card
	lines := []string{"BEGIN:VCARD", "VERSION:" + string(v), "PRODID:-//QR Circles//EN"}
	if v == V4 {
		lines = append(lines, "UID:"+UserUID(e.UserID), "KIND:individual")
	} else {
		lines = append(lines, "UID:"+UserUID(e.UserID), "N:"+escape(c.DisplayName)+";;;;")
	}
	lines = append(lines, "FN:"+escape(c.DisplayName))
	lines = appendIf(lines, "TITLE:", c.Title)
	lines = appendIf(lines, "ORG:", c.Company)
	for _, p := range c.Phones {
		if v == V4 {
			lines = append(lines, "TEL;VALUE=uri;TYPE=cell:tel:"+p)
		} else {
			lines = append(lines, "TEL;TYPE=CELL:"+escape(p))
		}
	}
	for _, m := range c.Emails {
		if v == V4 {
			lines = append(lines, "EMAIL:"+escape(m))
		} else {
			lines = append(lines, "EMAIL;TYPE=INTERNET:"+escape(m))
		}
	}
	if c.Address != "" {
		// The address is free text: it goes in the street component.
		lines = append(lines, "ADR:;;"+escape(c.Address)+";;;;")
	}
	if c.Website != "" {
		lines = append(lines, "URL:"+c.Website)
	}
	lines = appendIf(lines, "NOTE:", c.Note)
	if c.HasAvatar && e.Photo != nil && len(e.Photo.Data) > 0 {
		lines = append(lines, photoLine(v, *e.Photo))
	}
	return append(lines, "END:VCARD")
}

func appendIf(lines []string, prefix, value string) []string {
	if value == "" {
		return lines
	}
	return append(lines, prefix+escape(value))
}

func photoLine(v Version, p Photo) string {
	b64 := base64.StdEncoding.EncodeToString(p.Data)
	if v == V4 {
		return "PHOTO:data:" + p.ContentType + ";base64," + b64
	}
	typ := strings.ToUpper(strings.TrimPrefix(p.ContentType, "image/"))
	return "PHOTO;ENCODING=b;TYPE=" + typ + ":" + b64
}

// escape writes a text value as RFC 6350 §3.4 (and RFC 2426) ask: backslash, comma and
// semicolon escaped, line breaks as \n.
func escape(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ',':
			b.WriteString(`\,`)
		case ';':
			b.WriteString(`\;`)
		case '\n', '\r':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold splits a content line into lines of at most 75 octets, each continuation starting with
// a space, never inside a UTF-8 sequence (RFC 6350 §3.2), and ends it with CRLF. Bytes that
// are no UTF-8 at all are cut anywhere: there is no character to keep whole, and looking for
// its start must not stop the line from getting shorter.
func fold(line string) string {
	var b strings.Builder
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > limit-utf8.UTFMax && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// UserUID is a user's stable vCard UID: a name-based (version 5) UUID, so that a phone
// importing the same person twice updates one contact.
func UserUID(userID int64) string {
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8} // URL namespace
	h := sha1.Sum(append(ns, fmt.Sprintf("https://qrcircles.dev/users/%d", userID)...))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
