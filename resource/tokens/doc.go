// Package tokens verifies the bearer tokens the resource server receives through RFC 7662
// introspection, when it runs apart from the authorization server (which verifies them
// locally through fosite when both run in one process). The principal a token speaks for,
// and the Verifier interface, are the domain's (qrcircles.Principal, qrcircles.Verifier).
package tokens
