// Package tokenstest is a stand-in token verifier for handler tests: bearer strings mapped to
// principals, in place of the authorization server.
package tokenstest

import (
	"context"
	"errors"
	"sync"

	"qrcircles"
)

// Verifier knows the tokens it was given with Set; any other token is inactive.
type Verifier struct {
	mu sync.Mutex
	m  map[string]qrcircles.Principal
}

var _ qrcircles.Verifier = (*Verifier)(nil)

// Set makes token stand for p.
func (v *Verifier) Set(token string, p qrcircles.Principal) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]qrcircles.Principal{}
	}
	v.m[token] = p
}

// Verify implements qrcircles.Verifier.
func (v *Verifier) Verify(_ context.Context, token string) (qrcircles.Principal, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p, ok := v.m[token]
	if !ok {
		return p, errors.New("inactive token")
	}
	return p, nil
}
