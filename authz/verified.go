package authz

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"qrcircles"
)

// RevocationDelay bounds how long a revoked access token may still be taken by an instance
// other than the one that revoked it. The one that revoked it refuses it from its next request.
const RevocationDelay = time.Second

// maxVerified bounds the tokens kept in memory; past it, new ones are checked in the
// database until expired ones make room.
const maxVerified = 100_000

// RevocationLog is the record of access tokens deleted before they expired.
type RevocationLog interface {
	// RevokedTokens returns the keys (qrcircles.TokenKey) of the access tokens deleted since
	// the read that returned cursor, and the cursor of this read ("" starts one).
	RevokedTokens(ctx context.Context, cursor string) (keys []string, next string, err error)
	// TokenRevocations counts the deletions of tokens made by this process.
	TokenRevocations() uint64
}

// verifiedTokens keeps what the access tokens issued or verified here speak for, so that a
// request's token is checked without a database round trip: the HMAC and the expiry are
// checked in memory, and revocation through the log. A token is taken from memory only
// after a read of the log that started at most RevocationDelay ago and after this process's
// last revocation; the log's reader sees every deletion committed since its last read (see
// storage.RevokedTokens). A token first kept after a read of the log began is kept only if
// no read ended meanwhile, so that no revocation slips between its check and the read.
type verifiedTokens struct {
	log RevocationLog
	now func() time.Time

	mu     sync.Mutex
	tokens map[string]qrcircles.Principal
	reads  uint64 // completed reads of the log, under mu

	readMu  sync.Mutex // one read of the log at a time
	cursor  string
	readAt  atomic.Int64  // when the last completed read started, in Unix nanoseconds
	seenRev atomic.Uint64 // this process's revocations counted when it started
	ahead   func(read func())
}

func newVerifiedTokens(log RevocationLog, now func() time.Time) *verifiedTokens {
	return &verifiedTokens{log: log, now: now, tokens: map[string]qrcircles.Principal{}, ahead: func(read func()) { go read() }}
}

// fresh reads the log when memory may be stale, and returns the number of reads done, to
// hand to put; ok is false when the log could not be read (then memory is not to be used).
// Once half the delay has passed since the last read, the next request starts a read in
// the background and answers from memory meanwhile: under load, requests then do not all
// wait for the log once a second (each read waits for a database connection like any
// request).
func (v *verifiedTokens) fresh(ctx context.Context) (reads uint64, ok bool) {
	if v.stale() {
		v.readMu.Lock()
		defer v.readMu.Unlock()
		if v.stale() { // nobody else read it while this one waited
			if err := v.read(ctx); err != nil {
				return 0, false
			}
		}
	} else if v.aging() && v.readMu.TryLock() {
		v.ahead(func() {
			defer v.readMu.Unlock()
			if v.aging() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*RevocationDelay)
				defer cancel()
				_ = v.read(ctx) // failed: memory goes stale, and the next request reads the log itself
			}
		})
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.reads, true
}

func (v *verifiedTokens) stale() bool {
	at := v.readAt.Load()
	return at == 0 || v.now().Sub(time.Unix(0, at)) >= RevocationDelay || v.log.TokenRevocations() != v.seenRev.Load()
}

// aging reports that half the delay has passed since the last read of the log.
func (v *verifiedTokens) aging() bool {
	at := v.readAt.Load()
	return at != 0 && v.now().Sub(time.Unix(0, at)) >= RevocationDelay/2
}

// read applies the revocations logged since the last read; the caller holds readMu.
func (v *verifiedTokens) read(ctx context.Context) error {
	rev, started := v.log.TokenRevocations(), v.now()
	keys, next, err := v.log.RevokedTokens(ctx, v.cursor)
	if err != nil {
		return err
	}
	v.mu.Lock()
	for _, k := range keys {
		delete(v.tokens, k)
	}
	v.reads++
	v.mu.Unlock()
	v.cursor = next
	v.seenRev.Store(rev)
	v.readAt.Store(started.UnixNano())
	return nil
}

// get returns the principal kept for the token key, if it has not expired.
func (v *verifiedTokens) get(key string) (qrcircles.Principal, bool) {
	v.mu.Lock()
	p, ok := v.tokens[key]
	v.mu.Unlock()
	return p, ok && v.now().Before(p.ExpiresAt)
}

// put keeps p for the token key, unless a read of the log ended since reads was returned by
// fresh: that read may have missed a revocation of this token that the next will not show.
func (v *verifiedTokens) put(key string, p qrcircles.Principal, reads uint64) {
	if p.ExpiresAt.IsZero() {
		return // a token that never expires is checked every time
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.reads != reads {
		return
	}
	if len(v.tokens) >= maxVerified {
		v.dropExpired()
	}
	if len(v.tokens) < maxVerified {
		v.tokens[key] = p
	}
}

// dropExpired forgets expired tokens; the caller holds mu.
func (v *verifiedTokens) dropExpired() {
	now := v.now()
	for k, p := range v.tokens {
		if !now.Before(p.ExpiresAt) {
			delete(v.tokens, k)
		}
	}
}
