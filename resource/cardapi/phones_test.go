package cardapi

import "qrcircles/authz/phone"

// cnPhones reads phone numbers as the binary does for a server in China: the authorization
// server's rules, national numbers read in region CN.
func cnPhones(input string) (string, error) { return phone.Normalize(input, "CN") }
