// Package cards is the business card of QR Circles and who may see which of its fields. It is
// pure: plain values in and out, no HTTP or database. VisibleFields is the one rule deciding
// what a viewer sees; Project applies it; the vCard, CSV and JSON writers only ever receive
// projected cards.
package cards

import (
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"qrcircles"
)

// Limits on a card's fields in characters (runes), as the text rule has them.
var (
	MaxName    = qrcircles.TextCardName.Max
	MaxTitle   = qrcircles.TextCardTitle.Max
	MaxCompany = qrcircles.TextCardCompany.Max
	MaxAddress = qrcircles.TextCardAddress.Max
	MaxWebsite = qrcircles.TextCardWebsite.Max
	MaxNote    = qrcircles.TextCardNote.Max
	MaxEmail   = qrcircles.TextCardEmail.Max
)

// Limits on a card's lists, in entries.
const (
	MaxPhones = 5
	MaxEmails = 5
)

// PhoneNormalizer turns a phone number as typed into E.164, or fails. The API passes the
// authorization server's normalizer; nil accepts only numbers already in E.164.
type PhoneNormalizer func(raw string) (string, error)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Clean trims every field, normalizes phones and emails, and validates the result. The first
// bad field is an error naming it ("display_name", "phones[1]", …).
func Clean(c Card, normalize PhoneNormalizer) (Card, error) {
	out := Card{
		DisplayName: strings.TrimSpace(c.DisplayName), Title: strings.TrimSpace(c.Title),
		Company: strings.TrimSpace(c.Company), Address: lineEnds(c.Address),
		Website: strings.TrimSpace(c.Website), Note: lineEnds(c.Note), HasAvatar: c.HasAvatar,
	}
	var err error
	if out.Phones, err = cleanPhones(c.Phones, normalize); err != nil {
		return Card{}, err
	}
	if out.Emails, err = cleanEmails(c.Emails); err != nil {
		return Card{}, err
	}
	return out, Validate(out)
}

// Validate checks a cleaned card.
func Validate(c Card) error {
	if c.DisplayName == "" {
		return qrcircles.Fail(qrcircles.EInvalid, "cards.name_needed").WithField("display_name")
	}
	texts := []struct {
		field qrcircles.TextField
		value string
	}{
		{qrcircles.TextCardName, c.DisplayName}, {qrcircles.TextCardTitle, c.Title}, {qrcircles.TextCardCompany, c.Company},
		{qrcircles.TextCardAddress, c.Address}, {qrcircles.TextCardWebsite, c.Website}, {qrcircles.TextCardNote, c.Note},
	}
	for _, t := range texts {
		if err := t.field.Check(t.value); err != nil {
			return err
		}
	}
	if err := checkLists(c); err != nil {
		return err
	}
	return checkWebsite(c.Website)
}

// lineEnds trims a multi-line field and keeps its line ends as LF (a browser sends CRLF).
func lineEnds(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

func checkLists(c Card) error {
	if len(c.Phones) > MaxPhones {
		return qrcircles.Fail(qrcircles.EInvalid, "cards.too_many_phones", MaxPhones).WithField("phones")
	}
	if len(c.Emails) > MaxEmails {
		return qrcircles.Fail(qrcircles.EInvalid, "cards.too_many_emails", MaxEmails).WithField("emails")
	}
	for i, p := range c.Phones {
		if !e164.MatchString(p) {
			return qrcircles.Fail(qrcircles.EInvalid, "cards.phone_format").WithField(indexed("phones", i))
		}
	}
	for i, e := range c.Emails {
		if err := qrcircles.TextCardEmail.CheckAt(i, e); err != nil {
			return err
		}
		if err := checkEmail(indexed("emails", i), e); err != nil {
			return err
		}
	}
	return nil
}

func indexed(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

func cleanPhones(raw []string, normalize PhoneNormalizer) ([]string, error) {
	if len(raw) > MaxPhones {
		return nil, qrcircles.Fail(qrcircles.EInvalid, "cards.too_many_phones", MaxPhones).WithField("phones")
	}
	var out []string
	for i, p := range raw {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if err := qrcircles.TextCardPhone.CheckAt(i, p); err != nil {
			return nil, err
		}
		if normalize != nil {
			n, err := normalize(p)
			if err != nil {
				return nil, phoneError(indexed("phones", i), err)
			}
			p = n
		}
		out = append(out, p)
	}
	return out, nil
}

// phoneError puts a normalizer's error on the card's field: its own words when it has some
// meant for people, else ours.
func phoneError(field string, err error) error {
	e := qrcircles.Fail(qrcircles.EInvalid, "cards.phone_invalid").WithField(field).WithCause(err)
	if pe, ok := err.(*qrcircles.Error); ok && pe.Message != "" {
		e.Words, e.Message = pe.Words, pe.Message
	}
	return e
}

func cleanEmails(raw []string) ([]string, error) {
	if len(raw) > MaxEmails {
		return nil, qrcircles.Fail(qrcircles.EInvalid, "cards.too_many_emails", MaxEmails).WithField("emails")
	}
	var out []string
	for _, e := range raw {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out, nil
}

// checkEmail accepts a bare address (no display name, no angle brackets) that net/mail reads
// back unchanged.
func checkEmail(field, e string) error {
	bad := qrcircles.Fail(qrcircles.EInvalid, "cards.email_format").WithField(field)
	if len(e) > MaxEmail {
		return qrcircles.Fail(qrcircles.EInvalid, "cards.email_too_long", MaxEmail).WithField(field)
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e {
		return bad
	}
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || !strings.Contains(e[at+1:], ".") || strings.ContainsAny(e, " \"") {
		return bad
	}
	return nil
}

func checkWebsite(w string) error {
	if w == "" {
		return nil
	}
	u, err := url.Parse(w)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return qrcircles.Fail(qrcircles.EInvalid, "cards.website_format").WithField("website")
	}
	return nil
}
