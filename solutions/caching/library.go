package caching

import lru "github.com/hashicorp/golang-lru/v2"

// Library is the same cache as LRU, from github.com/hashicorp/golang-lru/v2: what to use when the LRU is not
// the lesson. It satisfies the same interface, and the benchmarks compare the two in one run.
type Library[K comparable, V any] struct {
	c *lru.Cache[K, V]
}

// NewLibrary returns an empty hashicorp LRU of the given capacity. It panics if capacity is less than 1.
func NewLibrary[K comparable, V any](capacity int) *Library[K, V] {
	c, err := lru.New[K, V](capacity)
	if err != nil {
		panic("caching: " + err.Error())
	}
	return &Library[K, V]{c: c}
}

// Get returns the value stored for key and marks it as the most recently used.
func (l *Library[K, V]) Get(key K) (V, bool) { return l.c.Get(key) }

// Put stores value for key, evicting the least recently used entry if the cache is full.
func (l *Library[K, V]) Put(key K, value V) { l.c.Add(key, value) }

// Len is the number of entries.
func (l *Library[K, V]) Len() int { return l.c.Len() }
