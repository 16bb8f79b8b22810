package qrcircles

import (
	"sync"
	"time"
)

// TTLCache keeps values for a while, for reads that may be a little stale: the circle a join
// reads before its transaction, the OAuth client of a verified token. It is safe for
// concurrent use and ready as a zero value. Entries are replaced, never evicted: it holds
// few keys (circles being joined, clients), not one per request.
type TTLCache[K comparable, V any] struct {
	m sync.Map // K → ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

// Get returns the value kept for k if it is still fresh at now.
func (c *TTLCache[K, V]) Get(k K, now time.Time) (V, bool) {
	if e, ok := c.m.Load(k); ok {
		if e := e.(ttlEntry[V]); now.Before(e.expires) {
			return e.v, true
		}
	}
	var zero V
	return zero, false
}

// Put keeps v for k until ttl after now.
func (c *TTLCache[K, V]) Put(k K, v V, now time.Time, ttl time.Duration) {
	c.m.Store(k, ttlEntry[V]{v, now.Add(ttl)})
}

// Fetch returns the value kept for k, or loads it and keeps it for ttl; a failed load is
// not kept.
func (c *TTLCache[K, V]) Fetch(k K, now time.Time, ttl time.Duration, load func() (V, error)) (V, error) {
	if v, ok := c.Get(k, now); ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.Put(k, v, now, ttl)
	return v, nil
}
