package caching

import (
	"fmt"
	"sync"
	"time"
)

// TTL is an LRU whose entries also expire: an entry put at t with time to live d is a miss from t+d on. Get
// compares the expiry with time.Now and never waits. A background sweeper drops expired entries that nobody
// asks for again, so memory is freed even when the cache never fills; Close stops it. Safe for concurrent use.
type TTL[K comparable, V any] struct {
	lru  *LRU[K, timed[V]]
	ttl  time.Duration
	stop chan struct{}
	once sync.Once
	done sync.WaitGroup
}

type timed[V any] struct {
	value   V
	expires time.Time
}

// NewTTL returns an empty cache of at most capacity entries, each living ttl after its last Put. Call Close
// when done with it, to stop its sweeper. It panics if capacity is less than 1 or ttl is not positive.
func NewTTL[K comparable, V any](capacity int, ttl time.Duration) *TTL[K, V] {
	if ttl <= 0 {
		panic(fmt.Sprintf("caching: TTL must be positive, got %v", ttl))
	}
	c := &TTL[K, V]{lru: NewLRU[K, timed[V]](capacity), ttl: ttl, stop: make(chan struct{})}
	c.done.Go(c.sweep)
	return c
}

// Get returns the value stored for key if it has not expired. An expired entry is removed.
func (c *TTL[K, V]) Get(key K) (V, bool) {
	e, ok := c.lru.Get(key)
	if ok && !time.Now().Before(e.expires) {
		c.lru.Remove(key)
		ok = false
	}
	if !ok {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put stores value for key until ttl from now.
func (c *TTL[K, V]) Put(key K, value V) {
	c.lru.Put(key, timed[V]{value: value, expires: time.Now().Add(c.ttl)})
}

// Len is the number of entries held, including expired ones the sweeper has not yet dropped.
func (c *TTL[K, V]) Len() int { return c.lru.Len() }

// Close stops the sweeper and waits for it to end. The cache still works afterwards, without the sweeper.
// Close is safe to call more than once.
func (c *TTL[K, V]) Close() error {
	c.once.Do(func() { close(c.stop) })
	c.done.Wait()
	return nil
}

// sweep drops expired entries once per ttl until Close.
func (c *TTL[K, V]) sweep() {
	tick := time.NewTicker(c.ttl)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case now := <-tick.C:
			c.dropExpired(now)
		}
	}
}

func (c *TTL[K, V]) dropExpired(now time.Time) {
	l := c.lru
	l.mu.Lock()
	defer l.mu.Unlock()
	for n := l.root.next; n != &l.root; {
		next := n.next
		if !now.Before(n.value.expires) {
			l.unlink(n)
			delete(l.items, n.key)
		}
		n = next
	}
}
