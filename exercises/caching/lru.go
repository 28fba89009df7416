package caching

import "github.com/llmperf/workbook/lessons/todo"

// LRU is a cache of at most a fixed number of entries: putting one more evicts the least recently used. It must
// be safe for concurrent use, and a Get of a present key must allocate nothing.
//
// The suite (lessons/caching/cachingtest, LRUChecks) checks: a miss on an empty cache; eviction of the least
// recently used (Get and Put both count as a use; Put of a present key updates its value); capacity one; never
// more than capacity entries; Remove drops a key and frees its place, and a key removed and put again is a new
// entry; a hit allocates nothing; concurrent use from 8 goroutines, with the race detector on.
//
// A map finds an entry; a doubly linked list ordered by use (most recent at the front) finds the one to evict.
// container/list works; a small generic node type of your own avoids its interface boxing.
type LRU[K comparable, V any] struct {
	// your fields: a mutex, the capacity, the map and the list
}

// NewLRU returns an empty cache holding at most capacity entries. It panics if capacity is less than 1.
func NewLRU[K comparable, V any](capacity int) *LRU[K, V] {
	todo.Exercise("lru") // delete this line and build the cache
	return nil
}

// Get returns the value stored for key and marks it as the most recently used.
func (c *LRU[K, V]) Get(key K) (V, bool) {
	todo.Exercise("lru") // delete this line: look up, move to the front
	var zero V
	return zero, false
}

// Put stores value for key as the most recently used, evicting the least recently used entry if the cache is
// full. Putting a key that is present updates its value.
func (c *LRU[K, V]) Put(key K, value V) {
	todo.Exercise("lru") // delete this line: update or insert at the front, evict from the back
}

// Remove deletes key, reporting whether it was present.
func (c *LRU[K, V]) Remove(key K) bool {
	todo.Exercise("lru") // delete this line: unlink and delete
	return false
}

// Len is the number of entries.
func (c *LRU[K, V]) Len() int {
	todo.Exercise("lru") // delete this line
	return 0
}
