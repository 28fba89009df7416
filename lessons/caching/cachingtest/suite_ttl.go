package cachingtest

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/suite"
)

func smokeTTL(newTTL func(int, time.Duration) caching.ExpiringCache[string, int]) {
	c := newTTL(2, time.Hour)
	c.Put("a", 1)
	c.Get("a")
	c.Len()
	c.Close()
}

// TTLChecks are the ttl exercise's checks, in virtual time: Close stops every goroutine the cache started (and
// is safe twice); an entry put at t with ttl d is a hit until just before t+d and a miss from t+d on; Get and
// Put never wait; Put renews an entry, Get does not; an expired entry that is looked up is dropped; an expired
// entry nobody asks for is dropped too, within one more ttl (Len, which counts what the cache holds, falls to
// 0 — sweep in the background or drop expired entries when counting); the capacity still bounds it; and it is
// safe for concurrent use (with the race detector on, every run).
func TTLChecks(newTTL func(capacity int, ttl time.Duration) caching.ExpiringCache[string, int]) []suite.Check {
	const ttl = 10 * time.Second
	return []suite.Check{
		{Name: "Close stops every goroutine", Stop: true, Run: func(t *testing.T) error {
			// The bubble is the leak detector: when its function returns, synctest panics if a goroutine it
			// started is still blocked (a sweeper waiting on its ticker). InBubble turns that into ErrLeaked,
			// so a leaky cache fails this check instead of crashing the test binary; the others then stop.
			err := suite.InBubble(t, func(*testing.T) error {
				c := newTTL(8, time.Millisecond)
				c.Put("a", 1)
				c.Get("a")
				time.Sleep(5 * time.Millisecond) // let a sweeper, if there is one, run a few rounds
				if err := c.Close(); err != nil {
					return fmt.Errorf("Close() = %v, want nil", err)
				}
				return nil
			})
			if errors.Is(err, suite.ErrLeaked) {
				return errors.New("a goroutine started by the cache still runs after Close: " +
					"a background sweeper must stop when Close is called")
			}
			return err
		}},
		{Name: "expires exactly at the ttl", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error {
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
			return suite.InBubble(t, func(*testing.T) error {
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
			return suite.InBubble(t, func(*testing.T) error {
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
			return suite.InBubble(t, func(*testing.T) error {
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
		{Name: "expired entries do not linger", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error {
				c := newTTL(8, ttl)
				defer c.Close()
				c.Put("a", 1)
				time.Sleep(ttl / 2)
				c.Put("b", 2)
				c.Put("c", 3)
				// b and c expire at 1.5 ttl; nobody asks for them again. One ttl later they must be gone.
				time.Sleep(2 * ttl)
				if n := c.Len(); n != 0 {
					return fmt.Errorf("Len() = %d a whole ttl after every entry expired, with no Get since, want 0: "+
						"expired entries that nobody asks for must not stay in memory (a sweeper that runs every "+
						"ttl and drops them, stopped by Close, or a Len that drops them)", n)
				}
				c.Put("d", 4)
				if v, ok := c.Get("d"); !ok || v != 4 {
					return fmt.Errorf("after the sweep, Put(d, 4) then Get(d) = (%d, %v), want (4, true)", v, ok)
				}
				return nil
			})
		}},
		{Name: "safe for concurrent use", Run: func(t *testing.T) error {
			c := newTTL(64, time.Hour)
			defer c.Close()
			if err := hammer(c, false); err != nil {
				return err
			}
			if n := c.Len(); n != 64 {
				return fmt.Errorf("Len() = %d after concurrent use of a full cache of 64, want 64", n)
			}
			return nil
		}},
		{Name: "still bounded by capacity", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error {
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
			return suite.InBubble(t, func(*testing.T) error {
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
