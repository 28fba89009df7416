// Package scale holds week 7's contracts: one key, many processes. Its exercise, dedup, is the cross-process
// half of a shared response cache: identical misses in flight in different processes cost one upstream call.
//
// The learner's code (exercises/scale) and the reference (solutions/scale) both give the suite
// (lessons/scale/scaletest) an Impl.
package scale

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options configure a Deduper.
type Options struct {
	// Prefix starts every Redis key the Deduper writes (and every channel it uses), so that caches sharing one
	// Redis do not meet. The suite gives each check a prefix of its own.
	Prefix string
	// TTL is how long a stored answer is kept.
	TTL time.Duration
	// LockTTL is how long a leader's lock lives: how long the others wait for a leader that died before one of
	// them calls instead.
	LockTTL time.Duration
}

// Deduper is a response cache in Redis shared by every process that uses the same Redis and Prefix, where
// identical misses at the same time cost one upstream call. Safe for concurrent use.
type Deduper interface {
	// Do returns the answer stored under key, or calls call — once across every process that asks for key at the
	// same time — stores what it returns for TTL and returns it. A call that fails is not stored: its caller gets
	// the error, and those waiting for it get an error too or try again. Do returns when ctx ends.
	Do(ctx context.Context, key string, call func(context.Context) ([]byte, error)) ([]byte, error)
	// Close ends whatever the Deduper runs in the background (a subscription, a goroutine); it does not close
	// the Redis client.
	Close() error
}

// Impl is what an implementation of the week provides: one field per exercise entry point.
type Impl struct {
	// dedup: a Deduper kept in rdb. The suite makes one per simulated process, each on a *redis.Client of its
	// own, and closes it (and then the client) when the process is done.
	NewDedup func(rdb *redis.Client, o Options) Deduper
}
