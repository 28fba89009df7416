package scale

import (
	"context"

	lessons "github.com/llmperf/workbook/lessons/scale"
	"github.com/llmperf/workbook/lessons/todo"
	"github.com/redis/go-redis/v9"
)

// Options configure a Dedup: the key prefix, how long answers live (TTL) and how long a lock lives (LockTTL).
type Options = lessons.Options

// Dedup is a response cache in Redis shared by every process that uses the same Redis and Prefix, where
// identical misses at the same time cost one upstream call. On a miss, the caller takes a lock key for the
// answer (SET NX with a TTL of LockTTL, holding a random token of its own), calls, stores the answer for TTL and
// deletes the lock — only if the lock still holds its token. A caller that finds the lock taken waits for the
// answer (poll every LockTTL/4 or so, or subscribe to a channel the leader publishes on), and looks again.
//
// The suite (lessons/scale/scaletest) runs a real redis-server and makes each simulated process a
// *redis.Client and a Dedup of its own. It checks:
//   - a stored answer serves another process without a call; another key gets its own call;
//   - every key you write starts with Prefix and expires: the lock within LockTTL, the answer within TTL;
//   - 100 identical misses in 100 processes at once: one call, and all 100 get its answer;
//   - a caller whose miss came just before the leader stored its answer and released the lock does not take the
//     freed lock and call again: claim the lock in one Lua script that first looks for a stored answer (GET the
//     answer; if there is one, return it; else SET the lock NX PX) — two separate commands leave that race open;
//   - a failed call is not stored: its caller gets the error, the others get an error or try again, and nobody
//     gets an empty answer with a nil error;
//   - a leader whose lock was lost while it called (the suite deletes it) does not delete the next leader's lock:
//     release with a Lua script that DELs only if GET still returns your token;
//   - a leader that dies (its client closed mid-call, nothing released): its lock expires and exactly one of the
//     waiting callers calls instead, and all of them get that answer;
//   - Do returns soon after its context ends (waiting included), and after Close no goroutine of yours is left.
type Dedup struct {
	// your fields: the client, the options
}

// NewDedup returns a Dedup kept in rdb.
func NewDedup(rdb *redis.Client, o Options) *Dedup {
	todo.Exercise("dedup") // delete this line and keep rdb and o
	return nil
}

// Do returns the answer stored under key, or calls call — once across every process that asks for key at the
// same time — and stores what it returns.
func (d *Dedup) Do(ctx context.Context, key string, call func(context.Context) ([]byte, error)) ([]byte, error) {
	todo.Exercise("dedup") // delete this line: look, claim the lock or wait, call, store, release
	return nil, nil
}

// Close ends whatever Dedup runs in the background (nothing, if it only polls).
func (d *Dedup) Close() error {
	todo.Exercise("dedup") // delete this line
	return nil
}
