package caching

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func smokeTTL(newTTL func(int, time.Duration) ExpiringCache[string, int]) {
	c := newTTL(2, time.Hour)
	c.Put("a", 1)
	c.Get("a")
	c.Len()
	c.Close()
}

// inBubble runs f in a synctest bubble (virtual time) and returns its error.
func inBubble(t *testing.T, f func(t *testing.T) error) error {
	var err error
	synctest.Test(t, func(t *testing.T) { err = f(t) })
	return err
}

// leakFree runs f in a bubble and reports a goroutine still blocked when f returns as an error.
func leakFree(t *testing.T, f func() error) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if msg := fmt.Sprint(r); strings.Contains(msg, "blocked goroutines remain") {
			err = errors.New("a goroutine started by the cache still runs after Close: " +
				"a background sweeper must stop when Close is called")
			return
		}
		panic(r)
	}()
	synctest.Test(t, func(*testing.T) { err = f() })
	return err
}

// TTLChecks are the ttl exercise's checks. All run in virtual time.
func TTLChecks(newTTL func(capacity int, ttl time.Duration) ExpiringCache[string, int]) []Check {
	const ttl = 10 * time.Second
	return []Check{
		{Name: "Close stops every goroutine", Stop: true, Run: func(t *testing.T) error {
			// The bubble is the leak detector: when its function returns, synctest panics if a goroutine it
			// started is still blocked (a sweeper waiting on its ticker). leakFree turns that into an error,
			// so a leaky cache fails this check instead of crashing the test binary; the others then stop.
			return leakFree(t, func() error {
				c := newTTL(8, time.Millisecond)
				c.Put("a", 1)
				c.Get("a")
				time.Sleep(5 * time.Millisecond) // let a sweeper, if there is one, run a few rounds
				if err := c.Close(); err != nil {
					return fmt.Errorf("Close() = %v, want nil", err)
				}
				return nil
			})
		}},
		{Name: "expires exactly at the ttl", Run: func(t *testing.T) error {
			return inBubble(t, func(*testing.T) error {
				c := newTTL(8, ttl)
				defer c.Close()
				c.Put("a", 1)
				time.Sleep(ttl - time.Nanosecond)
				if v, ok := c.Get("a"); !ok || v != 1 {
					return fmt.Errorf("Get 1ns before the ttl = (%d, %v), want (1, true)", v, ok)
				}
				time.Sleep(time.Nanosecond)
				if v, ok := c.Get("a"); ok {
					return fmt.Errorf("Get exactly at the ttl = (%d, true), want a miss: an entry put at t "+
						"with ttl d is gone at t+d", v)
				}
				return nil
			})
		}},
		{Name: "get never waits", Run: func(t *testing.T) error {
			return inBubble(t, func(*testing.T) error {
				c := newTTL(8, ttl)
				defer c.Close()
				start := time.Now()
				c.Put("a", 1)
				c.Get("a")
				c.Get("missing")
				time.Sleep(ttl)
				mid := time.Now()
				c.Get("a")
				if d := time.Since(start) - ttl; d != 0 || time.Since(mid) != 0 {
					return fmt.Errorf("Put and Get took %v of (virtual) time, want none: never sleep or wait "+
						"for a timer in Get or Put", d+time.Since(mid))
				}
				return nil
			})
		}},
		{Name: "put renews, get does not", Run: func(t *testing.T) error {
			return inBubble(t, func(*testing.T) error {
				c := newTTL(8, ttl)
				defer c.Close()
				c.Put("a", 1)
				c.Put("b", 2)
				time.Sleep(6 * time.Second)
				c.Put("a", 10) // a now lives until 16 s
				c.Get("b")     // a read does not extend b (still ends at 10 s)
				time.Sleep(5 * time.Second)
				if v, ok := c.Get("a"); !ok || v != 10 {
					return fmt.Errorf("at 11 s, Get(a) after Put(a) at 6 s with ttl 10 s = (%d, %v), want (10, true)", v, ok)
				}
				if v, ok := c.Get("b"); ok {
					return fmt.Errorf("at 11 s, Get(b) put at 0 s with ttl 10 s = (%d, true), want a miss: "+
						"reading an entry must not extend its life", v)
				}
				time.Sleep(5 * time.Second)
				if v, ok := c.Get("a"); ok {
					return fmt.Errorf("at 16 s, Get(a) put at 6 s = (%d, true), want a miss", v)
				}
				return nil
			})
		}},
		{Name: "expired entries are dropped", Run: func(t *testing.T) error {
			return inBubble(t, func(*testing.T) error {
				c := newTTL(8, ttl)
				defer c.Close()
				c.Put("a", 1)
				c.Put("b", 2)
				time.Sleep(ttl)
				c.Get("a")
				c.Get("b")
				if n := c.Len(); n != 0 {
					return fmt.Errorf("Len() = %d after both entries expired and were looked up, want 0", n)
				}
				return nil
			})
		}},
		{Name: "still bounded by capacity", Run: func(t *testing.T) error {
			return inBubble(t, func(*testing.T) error {
				c := newTTL(4, ttl)
				defer c.Close()
				for i := range 10 {
					c.Put(strconv.Itoa(i), i)
				}
				if n := c.Len(); n != 4 {
					return fmt.Errorf("Len() = %d after 10 puts into a cache of 4, want 4", n)
				}
				if _, ok := c.Get("9"); !ok {
					return fmt.Errorf("the most recent entry was evicted")
				}
				return nil
			})
		}},
		{Name: "close twice", Run: func(t *testing.T) error {
			return inBubble(t, func(*testing.T) error {
				c := newTTL(4, ttl)
				if err := c.Close(); err != nil {
					return fmt.Errorf("first Close() = %v, want nil", err)
				}
				if err := c.Close(); err != nil {
					return fmt.Errorf("second Close() = %v, want nil: Close must be safe to call twice", err)
				}
				return nil
			})
		}},
	}
}
