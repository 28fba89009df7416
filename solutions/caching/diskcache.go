package caching

import (
	"encoding/json"
	"sync"
)

// DiskCache is a Cache kept in a Store: values are stored as JSON, so a Client can keep its answers on disk
// and find them after a restart. A value that fails to store is simply not cached; Err reports the last such
// failure.
type DiskCache[V any] struct {
	Store *Store

	mu  sync.Mutex
	err error
}

// NewDiskCache returns a Cache kept in store.
func NewDiskCache[V any](store *Store) *DiskCache[V] { return &DiskCache[V]{Store: store} }

// Get returns the value stored for key; an unreadable or undecodable entry is a miss.
func (c *DiskCache[V]) Get(key string) (V, bool) {
	var v V
	b, ok, err := c.Store.Get(key)
	if err != nil {
		c.fail(err)
	}
	if !ok || err != nil {
		return v, false
	}
	if err := json.Unmarshal(b, &v); err != nil {
		c.fail(err)
		return v, false
	}
	return v, true
}

// Put stores value for key.
func (c *DiskCache[V]) Put(key string, value V) {
	b, err := json.Marshal(value)
	if err == nil {
		err = c.Store.Put(key, b)
	}
	if err != nil {
		c.fail(err)
	}
}

// Len is the number of entries on disk (0 if the folder cannot be read).
func (c *DiskCache[V]) Len() int {
	n, _ := c.Store.Len()
	return n
}

// Err is the last error met, or nil.
func (c *DiskCache[V]) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *DiskCache[V]) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.err = err
}
