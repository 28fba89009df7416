package caching

import (
	"fmt"
	"sync"
)

// LRU is a cache of at most a fixed number of entries: putting one more evicts the least recently used. It is
// safe for concurrent use, and a Get of a present key allocates nothing.
type LRU[K comparable, V any] struct {
	mu       sync.Mutex
	capacity int
	items    map[K]*node[K, V]
	root     node[K, V] // sentinel of a circular list: root.next is the most recently used, root.prev the least
}

type node[K comparable, V any] struct {
	key        K
	value      V
	prev, next *node[K, V]
}

// NewLRU returns an empty cache holding at most capacity entries. It panics if capacity is less than 1.
func NewLRU[K comparable, V any](capacity int) *LRU[K, V] {
	if capacity < 1 {
		panic(fmt.Sprintf("caching: LRU capacity must be at least 1, got %d", capacity))
	}
	c := &LRU[K, V]{capacity: capacity, items: make(map[K]*node[K, V], capacity)}
	c.root.next, c.root.prev = &c.root, &c.root
	return c
}

// Get returns the value stored for key and marks it as the most recently used.
func (c *LRU[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.moveToFront(n)
	return n.value, true
}

// Put stores value for key as the most recently used, evicting the least recently used entry if the cache is
// full.
func (c *LRU[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.items[key]; ok {
		n.value = value
		c.moveToFront(n)
		return
	}
	var n *node[K, V]
	if len(c.items) >= c.capacity {
		n = c.root.prev // reuse the evicted node: a full cache allocates nothing per Put
		c.unlink(n)
		delete(c.items, n.key)
		n.key, n.value = key, value
	} else {
		n = &node[K, V]{key: key, value: value}
	}
	c.items[key] = n
	c.pushFront(n)
}

// Remove deletes key, reporting whether it was present.
func (c *LRU[K, V]) Remove(key K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.items[key]
	if ok {
		c.unlink(n)
		delete(c.items, key)
	}
	return ok
}

// Len is the number of entries.
func (c *LRU[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *LRU[K, V]) unlink(n *node[K, V]) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
}

func (c *LRU[K, V]) pushFront(n *node[K, V]) {
	n.prev, n.next = &c.root, c.root.next
	c.root.next.prev = n
	c.root.next = n
}

func (c *LRU[K, V]) moveToFront(n *node[K, V]) {
	if c.root.next == n {
		return
	}
	c.unlink(n)
	c.pushFront(n)
}
