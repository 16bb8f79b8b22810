// Package phone turns a phone number as a person types it into the E.164 form that
// identifies a user.
package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"qrcircles"
)

const (
	tooShort = "This phone number is too short. Check the digits."
	tooLong  = "This phone number is too long. Check the digits."
)

// Normalize returns input in E.164 ("+8613800138000"). It accepts spaces, dashes,
// parentheses, a leading + or 00, and national numbers of defaultRegion (ISO 3166 letters).
// An invalid number is a qrcircles.EInvalid error on the field "phone".
func Normalize(input, defaultRegion string) (string, error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return "", qrcircles.Invalid("phone", "Enter your phone number.")
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
		return "", qrcircles.Invalid("phone", "%s", tooShort)
	case phonenumbers.TOO_LONG:
		return "", qrcircles.Invalid("phone", "%s", tooLong)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", qrcircles.Invalid("phone", "This is not a valid phone number. Check the digits, and start with + and the country code if it is from another country.")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// invalid explains why the number could not be read at all.
func invalid(err error) error {
	msg := "This does not look like a phone number. Enter digits only, for example 138 0013 8000 or +86 138 0013 8000."
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		msg = "The country code is not known. Start with + and the country code, for example +86."
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		msg = tooShort
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		msg = tooLong
	}
	e := qrcircles.Invalid("phone", "%s", msg)
	e.Err = err
	return e
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
