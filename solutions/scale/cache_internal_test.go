package scale

import (
	"context"
	"testing"

	"github.com/llmperf/workbook/kit/redislocal"
	"github.com/llmperf/workbook/solutions/caching"
)

// TestMissJustBeforeTheAnswer: a caller misses, and before it claims the lock another process's leader stores
// its answer and lets go of the lock. The caller must find that answer, not take the freed lock and call again
// (the race that let one question of notebook 07's Zipf workload reach the provider twice).
func TestMissJustBeforeTheAnswer(t *testing.T) {
	srv := redislocal.Test(t)
	newCache := func() *Cache {
		rdb, err := Connect(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		c := NewCache(rdb, CacheOptions{Prefix: t.Name(), Warnings: t.Output()})
		t.Cleanup(func() { c.Close(); rdb.Close() })
		return c
	}
	late, leader := newCache(), newCache()
	calls := 0
	fill := func(answer string) func(context.Context) ([]byte, error) {
		return func(context.Context) ([]byte, error) { calls++; return []byte(answer), nil }
	}
	late.afterMiss = func(key string) {
		late.afterMiss = nil
		if v, src, err := leader.Do(t.Context(), key, fill("the leader's")); string(v) != "the leader's" || src != caching.Miss || err != nil {
			t.Fatalf("the leader: %q %v %v", v, src, err)
		}
	}
	v, src, err := late.Do(t.Context(), "q", fill("the late caller's"))
	if string(v) != "the leader's" || src != caching.Hit || err != nil || calls != 1 {
		t.Errorf("the late caller: %q %v %v after %d upstream calls; want the leader's answer as a hit after 1", v, src, err, calls)
	}
}
