package caching

import (
	"time"

	"github.com/llmperf/workbook/lessons/todo"
)

// TTL is an LRU whose entries also expire: an entry put at t with time to live d is a miss from t+d on (at t+d
// exactly, not after). Get compares the expiry with time.Now and never waits; reading an entry does not extend
// its life, putting it again does. Expired entries must not stay in memory when nobody asks for them again:
// within one more ttl they are gone, and Len (what the cache holds) no longer counts them. A background sweeper
// that runs every ttl does it (Close must stop it: close a channel, then wait), or Len can drop them. Safe for
// concurrent use.
//
// The suite (TTLChecks, in virtual time) checks: Close stops every goroutine and is safe twice; expiry exactly
// at the ttl; Get and Put take no time; Put renews, Get does not; expired entries looked up are dropped, and
// expired entries nobody looks up are gone one ttl later; the capacity still bounds it; concurrent use with the
// race detector on.
type TTL[K comparable, V any] struct {
	// your fields: an LRU of (value, expiry) pairs is a good start
}

// NewTTL returns an empty cache of at most capacity entries, each living ttl after its last Put.
func NewTTL[K comparable, V any](capacity int, ttl time.Duration) *TTL[K, V] {
	todo.Exercise("ttl") // delete this line and build the cache
	return nil
}

// Get returns the value stored for key if it has not expired. An expired entry is removed.
func (c *TTL[K, V]) Get(key K) (V, bool) {
	todo.Exercise("ttl") // delete this line: look up, compare the expiry with time.Now()
	var zero V
	return zero, false
}

// Put stores value for key until ttl from now.
func (c *TTL[K, V]) Put(key K, value V) {
	todo.Exercise("ttl") // delete this line
}

// Len is the number of entries held.
func (c *TTL[K, V]) Len() int {
	todo.Exercise("ttl") // delete this line
	return 0
}

// Close stops any background work the cache started. It is safe to call more than once.
func (c *TTL[K, V]) Close() error {
	todo.Exercise("ttl") // delete this line
	return nil
}
