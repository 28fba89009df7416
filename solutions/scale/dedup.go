package scale

import (
	"context"

	lessons "github.com/llmperf/workbook/lessons/scale"
	"github.com/redis/go-redis/v9"
)

// Dedup is the dedup exercise's answer: a Cache seen through the exercise's smaller API (no Source, no
// statistics). Everything it does is Cache's.
type Dedup struct{ c *Cache }

// NewDedup returns a Dedup kept in rdb, with Cache's defaults for what o leaves zero.
func NewDedup(rdb *redis.Client, o lessons.Options) *Dedup {
	return &Dedup{NewCache(rdb, CacheOptions{Prefix: o.Prefix, TTL: o.TTL, LockTTL: o.LockTTL})}
}

// Do is Cache.Do without the Source.
func (d *Dedup) Do(ctx context.Context, key string, call func(context.Context) ([]byte, error)) ([]byte, error) {
	v, _, err := d.c.Do(ctx, key, call)
	return v, err
}

// Close ends the Cache's subscription.
func (d *Dedup) Close() error { return d.c.Close() }
