package cachingtest

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/suite"
)

func smokeLRU(newLRU func(int) caching.Cache[string, int]) {
	c := newLRU(2)
	c.Put("a", 1)
	c.Get("a")
	c.Len()
}

// LRUChecks are the lru exercise's checks.
func LRUChecks(newLRU func(capacity int) caching.Cache[string, int]) []suite.Check {
	return []suite.Check{
		{Name: "missing key", Run: func(*testing.T) error {
			c := newLRU(2)
			if v, ok := c.Get("nope"); ok || v != 0 {
				return fmt.Errorf("Get on an empty cache = (%d, %v), want (0, false)", v, ok)
			}
			return nil
		}},
		{Name: "evicts the least recently used", Run: func(*testing.T) error {
			c := newLRU(3)
			c.Put("a", 1)
			c.Put("b", 2)
			c.Put("c", 3)
			c.Get("a") // a is now the most recently used; b the least
			c.Put("d", 4)
			return expect(c, map[string]int{"a": 1, "c": 3, "d": 4}, []string{"b"}, 3,
				"after Put a, b, c; Get a; Put d into a cache of 3")
		}},
		{Name: "put updates and refreshes", Run: func(*testing.T) error {
			c := newLRU(2)
			c.Put("a", 1)
			c.Put("b", 2)
			c.Put("a", 10) // update: a is now the most recently used
			c.Put("c", 3)
			return expect(c, map[string]int{"a": 10, "c": 3}, []string{"b"}, 2,
				"after Put a, b, a=10, c into a cache of 2")
		}},
		{Name: "capacity one", Run: func(*testing.T) error {
			c := newLRU(1)
			c.Put("a", 1)
			c.Put("b", 2)
			return expect(c, map[string]int{"b": 2}, []string{"a"}, 1, "after Put a, b into a cache of 1")
		}},
		{Name: "never exceeds capacity", Run: func(*testing.T) error {
			c := newLRU(100)
			for i := range 1000 {
				c.Put(strconv.Itoa(i), i)
				if n := c.Len(); n > 100 {
					return fmt.Errorf("Len() = %d after %d puts into a cache of 100", n, i+1)
				}
			}
			want := map[string]int{}
			var gone []string
			for i := range 1000 {
				if i >= 900 {
					want[strconv.Itoa(i)] = i
				} else {
					gone = append(gone, strconv.Itoa(i))
				}
			}
			return expect(c, want, gone, 100, "after 1000 distinct puts into a cache of 100")
		}},
		{Name: "a hit allocates nothing", Run: func(*testing.T) error {
			c := newLRU(16)
			c.Put("hot", 1)
			c.Put("other", 2)
			keys := []string{"hot", "other"}
			i := 0
			allocs := testing.AllocsPerRun(1000, func() {
				c.Get(keys[i%2])
				i++
			})
			if allocs != 0 {
				return fmt.Errorf("Get of a present key allocates %.1f times per call, want 0 "+
					"(no boxing in interface values, no new list elements on a hit)", allocs)
			}
			return nil
		}},
		{Name: "safe for concurrent use", Run: func(*testing.T) error {
			c := newLRU(64)
			var wrong sync.Map // key → value seen, when a Get returned another key's value
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for i := range 2000 {
						k := strconv.Itoa((g*7 + i) % 200)
						if v, ok := c.Get(k); ok && strconv.Itoa(v) != k {
							wrong.Store(k, v)
						}
						c.Put(k, (g*7+i)%200)
					}
				})
			}
			wg.Wait()
			var err error
			wrong.Range(func(k, v any) bool {
				err = fmt.Errorf("under concurrent use, Get(%q) returned %d, another key's value", k, v)
				return false
			})
			if err != nil {
				return err
			}
			if n := c.Len(); n != 64 {
				return fmt.Errorf("Len() = %d after concurrent use of a full cache of 64, want 64", n)
			}
			return nil
		}},
	}
}

// expect checks a cache's contents: every key of want present with its value, every key of gone absent,
// and Len equal to n.
func expect(c caching.Cache[string, int], want map[string]int, gone []string, n int, context string) error {
	for _, k := range gone {
		if v, ok := c.Get(k); ok {
			return fmt.Errorf("%s: Get(%q) = %d, want a miss (it should have been evicted)", context, k, v)
		}
	}
	for k, w := range want {
		if v, ok := c.Get(k); !ok || v != w {
			return fmt.Errorf("%s: Get(%q) = (%d, %v), want (%d, true)", context, k, v, ok, w)
		}
	}
	if got := c.Len(); got != n {
		return fmt.Errorf("%s: Len() = %d, want %d", context, got, n)
	}
	return nil
}
