// Package phone turns a phone number as a person types it into the E.164 form that
// identifies a user.
package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"qrcircles"
)

// Normalize returns input in E.164 ("+8613800138000"). It accepts spaces, dashes,
// parentheses, a leading + or 00, and national numbers of defaultRegion (ISO 3166 letters).
// An invalid number is a qrcircles.EInvalid error on the field "phone".
func Normalize(input, defaultRegion string) (string, error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return "", invalidPhone("phone.empty")
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:] // the international prefix of most of the world, whatever the region
	}
	num, err := phonenumbers.Parse(s, strings.ToUpper(defaultRegion))
	if err != nil {
		return "", invalid(err)
	}
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.TOO_SHORT, phonenumbers.INVALID_LENGTH:
		return "", invalidPhone("phone.too_short")
	case phonenumbers.TOO_LONG:
		return "", invalidPhone("phone.too_long")
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", invalidPhone("phone.invalid")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// invalid explains why the number could not be read at all.
func invalid(err error) error {
	key := "phone.unreadable"
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		key = "phone.country_code"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		key = "phone.too_short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		key = "phone.too_long"
	}
	return invalidPhone(key).WithCause(err)
}

// invalidPhone is the EInvalid error of the field "phone" with the sentence of key.
func invalidPhone(key string) *qrcircles.Error {
	return qrcircles.Fail(qrcircles.EInvalid, key).WithField("phone")
}

// Region returns the region (ISO 3166 letters) of a number in E.164, or "" when it has none
// (a number of a non-geographic service, or not a number).
func Region(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(num)
}
