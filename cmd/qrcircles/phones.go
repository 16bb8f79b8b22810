package main

import "qrcircles/authz/phone"

// phoneNormalizer is how the resource server reads a typed phone number: the authorization
// server's rules, with numbers without a country code read in region.
func phoneNormalizer(region string) func(input string) (string, error) {
	return func(input string) (string, error) { return phone.Normalize(input, region) }
}
