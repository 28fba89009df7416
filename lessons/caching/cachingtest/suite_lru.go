package cachingtest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/suite"
)

func smokeLRU(newLRU func(int) caching.LRUCache[string, int]) {
	c := newLRU(2)
	c.Put("a", 1)
	c.Get("a")
	c.Remove("a")
	c.Len()
}

// LRUChecks are the lru exercise's checks: a miss on an empty cache; eviction of the least recently used (a
// Get counts as a use, a Put of a present key updates it and counts as a use); capacity one; never more than
// capacity entries; Remove drops a key and frees its place; a Get of a present key allocates nothing; and
// concurrent use from 8 goroutines neither mixes up values nor loses the bound (run with the race detector, as
// every learner's check is, a cache without a lock fails here on every run).
func LRUChecks(newLRU func(capacity int) caching.LRUCache[string, int]) []suite.Check {
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
		{Name: "remove", Run: func(*testing.T) error {
			c := newLRU(3)
			c.Put("a", 1)
			c.Put("b", 2)
			c.Put("c", 3)
			if !c.Remove("b") {
				return fmt.Errorf("Remove(b) of a present key = false, want true")
			}
			if c.Remove("b") {
				return fmt.Errorf("Remove(b) a second time = true, want false: it is gone")
			}
			if c.Remove("nope") {
				return fmt.Errorf("Remove of a key never put = true, want false")
			}
			if err := expect(c, map[string]int{"a": 1, "c": 3}, []string{"b"}, 2, "after Put a, b, c; Remove b"); err != nil {
				return err
			}
			// The freed place is used before anything is evicted; then eviction still follows use.
			c.Put("d", 4)
			if err := expect(c, map[string]int{"a": 1, "c": 3, "d": 4}, nil, 3, "after Remove b, Put d into a cache of 3"); err != nil {
				return err
			}
			c.Remove("a") // the least recently used now is c
			c.Remove("d")
			c.Put("e", 5)
			c.Put("f", 6)
			c.Put("g", 7)
			if err := expect(c, map[string]int{"e": 5, "f": 6, "g": 7}, []string{"a", "c", "d"}, 3,
				"after removing a and d, then Put e, f, g into a cache of 3"); err != nil {
				return err
			}
			// A key removed and put again is a new entry: nothing of the old one may evict it later.
			c.Remove("f")
			c.Put("f", 60) // use order, oldest first: e, g, f
			c.Put("h", 8)  // evicts e
			c.Put("i", 9)  // evicts g
			return expect(c, map[string]int{"f": 60, "h": 8, "i": 9}, []string{"e", "g"}, 3,
				"after Remove f, Put f=60, h, i (use order e, g, f, h, i) into a cache of 3")
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
			if err := hammer(c, true); err != nil {
				return err
			}
			// Whatever the interleaving, 64 new keys put afterwards fill the cache exactly.
			want := map[string]int{}
			for i := range 64 {
				c.Put("new"+strconv.Itoa(i), 1000+i)
				want["new"+strconv.Itoa(i)] = 1000 + i
			}
			return expect(c, want, nil, 64, "after concurrent use, then 64 new keys into a cache of 64")
		}},
	}
}

// hammer uses c from 8 goroutines at once, Get, Put and (with remove) Remove of 200 keys, each key's value its
// own number, and reports a Get that returned another key's value.
func hammer(c caching.Cache[string, int], remove bool) error {
	var wrong sync.Map // key → value seen, when a Get returned another key's value
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				n := (g*7 + i) % 200
				k := strconv.Itoa(n)
				if v, ok := c.Get(k); ok && v != n {
					wrong.Store(k, v)
				}
				c.Put(k, n)
				if r, ok := c.(interface{ Remove(string) bool }); ok && remove && i%5 == 0 {
					r.Remove(strconv.Itoa((n + 100) % 200))
				}
				c.Len()
			}
		})
	}
	wg.Wait()
	var err error
	wrong.Range(func(k, v any) bool {
		err = fmt.Errorf("under concurrent use, Get(%q) returned %d, another key's value", k, v)
		return false
	})
	return err
}

// expect checks a cache's contents: every key of want present with its value, every key of gone absent,
// and Len equal to n.
func expect(c caching.Cache[string, int], want map[string]int, gone []string, n int, context string) error {
	for _, k := range gone {
		if v, ok := c.Get(k); ok {
			return fmt.Errorf("%s: Get(%q) = %d, want a miss (it should have been evicted)", context, k, v)
		}
	}
	// In key order: a Get is a use, so a random (map) order would make the use order, and with it the verdict
	// on a cache that gets it wrong, differ from run to run.
	for _, k := range slices.Sorted(maps.Keys(want)) {
		w := want[k]
		if v, ok := c.Get(k); !ok || v != w {
			return fmt.Errorf("%s: Get(%q) = (%d, %v), want (%d, true)", context, k, v, ok, w)
		}
	}
	if got := c.Len(); got != n {
		return fmt.Errorf("%s: Len() = %d, want %d", context, got, n)
	}
	return nil
}
