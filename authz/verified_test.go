package authz

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"qrcircles"
)

// fakeRevocations is a revocation log in memory: the cursor is how many entries were read.
type fakeRevocations struct {
	mu     sync.Mutex
	keys   []string
	local  uint64
	down   bool
	reads  int
	onRead func() // runs inside a read, after it looked at the log
}

func (f *fakeRevocations) RevokedTokens(_ context.Context, cursor string) ([]string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, "", errors.New("database down")
	}
	f.reads++
	from, _ := strconv.Atoi(cursor)
	keys := append([]string(nil), f.keys[from:]...)
	return keys, strconv.Itoa(len(f.keys)), nil
}

func (f *fakeRevocations) TokenRevocations() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.local
}

// revoke logs a revocation, made here (local) or by another instance.
func (f *fakeRevocations) revoke(key string, local bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys = append(f.keys, key)
	if local {
		f.local++
	}
}

type verifiedFixture struct {
	log     *fakeRevocations
	v       *verifiedTokens
	now     time.Time
	pending []func() // reads of the log started ahead, run when the test says
}

func newVerifiedFixture() *verifiedFixture {
	fx := &verifiedFixture{log: &fakeRevocations{}, now: time.Date(2026, 5, 1, 19, 0, 0, 0, time.UTC)}
	fx.v = newVerifiedTokens(fx.log, func() time.Time { return fx.now })
	fx.v.ahead = func(read func()) { fx.pending = append(fx.pending, read) }
	return fx
}

func (fx *verifiedFixture) reads() int {
	fx.log.mu.Lock()
	defer fx.log.mu.Unlock()
	return fx.log.reads
}

// verify is Server.Verify's use of memory: the principal if memory may answer.
func (fx *verifiedFixture) verify(t *testing.T, key string) bool {
	t.Helper()
	if _, fresh := fx.v.fresh(context.Background()); !fresh {
		return false
	}
	_, ok := fx.v.get(key)
	return ok
}

func (fx *verifiedFixture) keep(t *testing.T, key string) {
	t.Helper()
	reads, fresh := fx.v.fresh(context.Background())
	if !fresh {
		t.Fatal("log unreadable")
	}
	fx.v.put(key, qrcircles.Principal{Subject: "7", ExpiresAt: fx.now.Add(time.Hour)}, reads)
}

func TestVerifiedTokenRevokedHereIsRefusedAtOnce(t *testing.T) {
	fx := newVerifiedFixture()
	fx.keep(t, "a")
	if !fx.verify(t, "a") {
		t.Fatal("a token just kept is not in memory")
	}
	fx.log.revoke("a", true)
	if fx.verify(t, "a") {
		t.Error("a token revoked by this process was taken from memory")
	}
}

func TestVerifiedTokenRevokedElsewhereIsRefusedWithinTheDelay(t *testing.T) {
	fx := newVerifiedFixture()
	fx.keep(t, "a")
	fx.keep(t, "b")
	fx.log.revoke("a", false)
	fx.now = fx.now.Add(RevocationDelay) // nobody asked meanwhile: no read ahead
	if fx.verify(t, "a") {
		t.Error("a token revoked elsewhere is still taken once the delay passed")
	}
	if !fx.verify(t, "b") {
		t.Error("a token not revoked was forgotten")
	}
}

func TestVerifiedTokensReadTheLogAheadOfTheDelay(t *testing.T) {
	fx := newVerifiedFixture()
	fx.keep(t, "a")
	fx.log.revoke("a", false)
	fx.now = fx.now.Add(RevocationDelay/2 - time.Nanosecond)
	if !fx.verify(t, "a") || len(fx.pending) != 0 {
		t.Fatalf("before half the delay: taken %v, %d reads started; want memory, none", fx.verify(t, "a"), len(fx.pending))
	}
	fx.now = fx.now.Add(time.Nanosecond)
	before := fx.reads()
	if !fx.verify(t, "a") || !fx.verify(t, "a") {
		t.Fatal("a request waited for the log before the delay passed")
	}
	if len(fx.pending) != 1 || fx.reads() != before {
		t.Fatalf("after half the delay: %d reads started, %d done; want 1 started in the background", len(fx.pending), fx.reads()-before)
	}
	fx.pending[0]()
	if fx.reads() != before+1 {
		t.Fatalf("the read ahead did not read the log")
	}
	if fx.verify(t, "a") {
		t.Error("a token revoked elsewhere is still taken after the read ahead")
	}
	fx.now = fx.now.Add(RevocationDelay/2 - time.Nanosecond) // the read ahead counts: no read yet
	fx.verify(t, "a")
	if len(fx.pending) != 1 || fx.reads() != before+1 {
		t.Errorf("%d reads started, %d done after the read ahead; want none more", len(fx.pending)-1, fx.reads()-before-1)
	}
}

func TestVerifiedTokensAreNotUsedWhileTheLogIsUnreadable(t *testing.T) {
	fx := newVerifiedFixture()
	fx.keep(t, "a")
	fx.log.mu.Lock()
	fx.log.down = true
	fx.log.mu.Unlock()
	fx.now = fx.now.Add(RevocationDelay)
	if fx.verify(t, "a") {
		t.Error("memory answered although the revocations could not be read")
	}
}

func TestVerifiedTokenKeptDuringAReadIsNotKept(t *testing.T) {
	// A token checked in the database before a revocation, kept after a read of the log that
	// the revocation committed just before: the read that showed it ended after the check
	// began, so the token must not be kept.
	fx := newVerifiedFixture()
	reads, _ := fx.v.fresh(context.Background()) // the check begins
	fx.log.revoke("a", false)
	fx.now = fx.now.Add(RevocationDelay)
	fx.v.fresh(context.Background()) // another request reads the log: "a" revoked, not in memory
	fx.v.put("a", qrcircles.Principal{ExpiresAt: fx.now.Add(time.Hour)}, reads)
	if fx.verify(t, "a") {
		t.Error("a token kept across a read of the log outlived its revocation")
	}
}

func TestVerifiedTokenExpires(t *testing.T) {
	fx := newVerifiedFixture()
	fx.keep(t, "a")
	fx.now = fx.now.Add(time.Hour)
	if fx.verify(t, "a") {
		t.Error("an expired token was taken from memory")
	}
}

func TestVerifiedTokensReadTheLogOncePerDelay(t *testing.T) {
	fx := newVerifiedFixture()
	fx.keep(t, "a")
	for range 100 {
		fx.verify(t, "a")
	}
	if fx.log.reads != 1 {
		t.Errorf("%d reads of the log for 101 checks within the delay, want 1", fx.log.reads)
	}
}
