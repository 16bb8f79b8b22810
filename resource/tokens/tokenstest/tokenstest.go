// Package tokenstest is a stand-in token verifier for handler tests: bearer strings mapped to
// principals, in place of the authorization server.
package tokenstest

import (
	"context"
	"errors"
	"sync"

	"qrcircles/resource/tokens"
)

// Verifier knows the tokens it was given with Set; any other token is inactive.
type Verifier struct {
	mu sync.Mutex
	m  map[string]tokens.Principal
}

var _ tokens.Verifier = (*Verifier)(nil)

// Set makes token stand for p.
func (v *Verifier) Set(token string, p tokens.Principal) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]tokens.Principal{}
	}
	v.m[token] = p
}

// Verify implements tokens.Verifier.
func (v *Verifier) Verify(_ context.Context, token string) (tokens.Principal, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	p, ok := v.m[token]
	if !ok {
		return p, errors.New("inactive token")
	}
	return p, nil
}
