// Package admission validates the rules an organizer sets on a circle (qrcircles.Rules) and
// decides one join request by them. It is pure: plain values in, a decision out, the scan time passed in.
package admission

import (
	"fmt"

	"qrcircles"
)

// Limits on rule sizes, so one decision stays cheap and one circle's rules stay storable.
const (
	MaxAllowlist = 10000
	MaxRanges    = 100 // per list: prefixes, phone ranges, user-ID ranges
)

// FieldError names the rule field at fault and why: Problem is a phrase (admission.rule.*)
// that the field's name or label completes.
type FieldError struct {
	Field   string
	Problem qrcircles.Words
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem.English() }

// fieldErr returns an error interface, never a typed nil, to the validators.
func fieldErr(field, key string, args ...any) error {
	return &FieldError{Field: field, Problem: qrcircles.Say(key, args...)}
}

// Validate reports the first invalid field as a *FieldError, or nil.
func Validate(r qrcircles.Rules) error {
	checks := []func(qrcircles.Rules) error{
		validateWindow, validateSizes, validatePrefixes,
		validatePhoneRanges, validateIDRanges, validateAllowlist,
		validateCap, validateMode, validateOnSite,
	}
	for _, check := range checks {
		if err := check(r); err != nil {
			return err
		}
	}
	return nil
}

func validateWindow(r qrcircles.Rules) error {
	if !r.NotBefore.IsZero() && !r.NotAfter.IsZero() && r.NotAfter.Before(r.NotBefore) {
		return fieldErr("not_after", "admission.rule.window")
	}
	return nil
}

// validateSizes runs before the per-entry checks so an oversized list is refused without
// walking it.
func validateSizes(r qrcircles.Rules) error {
	sizes := []struct {
		field  string
		n, max int
	}{
		{"phone_prefixes", len(r.PhonePrefixes), MaxRanges},
		{"phone_ranges", len(r.PhoneRanges), MaxRanges},
		{"user_id_ranges", len(r.UserIDRanges), MaxRanges},
		{"allowlist", len(r.Allowlist), MaxAllowlist},
	}
	for _, s := range sizes {
		if s.n > s.max {
			return fieldErr(s.field, "admission.rule.too_many", s.n, s.max)
		}
	}
	return nil
}

func validatePrefixes(r qrcircles.Rules) error {
	for i, p := range r.PhonePrefixes {
		if !isE164(p, 1) {
			return fieldErr(fmt.Sprintf("phone_prefixes[%d]", i), "admission.rule.prefix", p)
		}
	}
	return nil
}

func validatePhoneRanges(r qrcircles.Rules) error {
	for i, pr := range r.PhoneRanges {
		field := fmt.Sprintf("phone_ranges[%d]", i)
		if !isE164(pr.From, 2) {
			return fieldErr(field+".from", "admission.rule.number", pr.From)
		}
		if !isE164(pr.To, 2) {
			return fieldErr(field+".to", "admission.rule.number", pr.To)
		}
		if comparePhones(pr.From, pr.To) > 0 {
			return fieldErr(field, "admission.rule.phone_order", pr.From, pr.To)
		}
	}
	return nil
}

func validateIDRanges(r qrcircles.Rules) error {
	for i, ir := range r.UserIDRanges {
		if ir.From > ir.To {
			return fieldErr(fmt.Sprintf("user_id_ranges[%d]", i), "admission.rule.id_order", ir.From, ir.To)
		}
	}
	return nil
}

func validateAllowlist(r qrcircles.Rules) error {
	for i, p := range r.Allowlist {
		if !isE164(p, 2) {
			return fieldErr(fmt.Sprintf("allowlist[%d]", i), "admission.rule.number", p)
		}
	}
	return nil
}

func validateCap(r qrcircles.Rules) error {
	if r.Cap < 0 {
		return fieldErr("cap", "admission.rule.cap")
	}
	return nil
}

func validateMode(r qrcircles.Rules) error {
	switch r.Mode {
	case "", qrcircles.ModeRules, qrcircles.ModeReview, qrcircles.ModeOpen:
		return nil
	}
	return fieldErr("mode", "admission.rule.mode", r.Mode)
}

func validateOnSite(r qrcircles.Rules) error {
	switch r.OnSite {
	case qrcircles.OnSiteOff, qrcircles.OnSiteReview, qrcircles.OnSiteRefuse:
		return nil
	}
	return fieldErr("on_site", "admission.rule.on_site", r.OnSite)
}

// isE164 reports whether s is "+" followed by minDigits to 15 digits.
func isE164(s string, minDigits int) bool {
	if len(s) < 1+minDigits || len(s) > 16 || s[0] != '+' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// comparePhones orders E.164 numbers numerically: a shorter number is smaller, and numbers
// of equal length compare digit by digit.
func comparePhones(a, b string) int {
	switch {
	case len(a) != len(b):
		return len(a) - len(b)
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
