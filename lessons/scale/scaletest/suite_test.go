package scaletest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redislocal"
	"github.com/llmperf/workbook/lessons/scale"
	"github.com/llmperf/workbook/lessons/scale/scaletest"
	"github.com/llmperf/workbook/lessons/suite"
	sol "github.com/llmperf/workbook/solutions/scale"
	"github.com/redis/go-redis/v9"
)

// The dedup suite must pass the reference, a correct Deduper written differently (other: it polls, where the
// reference subscribes), and fail each flawed variant of other at the check named.

func TestDedupReferencePasses(t *testing.T) {
	srv := redislocal.Test(t)
	if check, err := suite.FirstFailure(t, scaletest.DedupChecks(srv, sol.Impl().NewDedup)); err != nil {
		t.Errorf("the reference fails %q: %v", check, err)
	}
}

func TestDedupOtherCorrectPasses(t *testing.T) {
	srv := redislocal.Test(t)
	if check, err := suite.FirstFailure(t, scaletest.DedupChecks(srv, other(flaws{}))); err != nil {
		t.Errorf("a correct Deduper written differently fails %q: %v", check, err)
	}
}

func TestRejectsBrokenDedup(t *testing.T) {
	srv := redislocal.Test(t)
	for _, tc := range []struct {
		name  string
		flaws flaws
		check string
	}{
		{"no lock: every miss calls", flaws{noLock: true}, "100 identical misses in 100 processes make one call, and all get its answer"},
		{"a lock without a TTL", flaws{lockForever: true}, "every key is under Prefix and expires: the lock within LockTTL, the answer within TTL"},
		{"an answer without a TTL", flaws{answerForever: true}, "every key is under Prefix and expires: the lock within LockTTL, the answer within TTL"},
		{"keys outside Prefix", flaws{noPrefix: true}, "every key is under Prefix and expires: the lock within LockTTL, the answer within TTL"},
		{"check, then lock, in two steps", flaws{checkThenLock: true}, "a caller that missed just before the answer was stored does not call again"},
		{"stores a failure as an empty answer", flaws{storeFailure: true}, "a failed call is not stored: callers get the error or an answer, never an empty one"},
		{"releases without checking the owner", flaws{releaseAny: true}, "a leader whose lock was lost does not release the next leader's lock"},
		{"calls upstream on a context of its own", flaws{ownCtx: true}, "Do returns when its context ends, and Close leaves nothing running"},
		{"a goroutine that Close does not stop", flaws{leak: true}, "Do returns when its context ends, and Close leaves nothing running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check, err := suite.FirstFailure(t, scaletest.DedupChecks(srv, other(tc.flaws)))
			if check != tc.check {
				t.Errorf("first failure %q (%v), want %q", check, err, tc.check)
			}
		})
	}
}

// flaws are the mistakes other can make.
type flaws struct {
	noLock        bool // calls on every miss
	lockForever   bool // the lock has no TTL
	answerForever bool // the answer has no TTL
	noPrefix      bool // keys without the prefix
	checkThenLock bool // GET, then SET NX in a second step
	storeFailure  bool // a failed call stores an empty answer
	releaseAny    bool // DEL the lock whoever holds it
	ownCtx        bool // calls upstream with context.Background(), not the caller's ctx
	leak          bool // starts a goroutine Close does not end
}

type dedup struct {
	rdb  *redis.Client
	o    scale.Options
	f    flaws
	stop chan struct{}
}

func other(f flaws) scaletest.NewDedup {
	return func(rdb *redis.Client, o scale.Options) scale.Deduper {
		d := &dedup{rdb: rdb, o: o, f: f, stop: make(chan struct{})}
		if f.leak {
			go func() { <-make(chan struct{}) }()
		}
		return d
	}
}

var (
	claim = redis.NewScript(`local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
if ARGV[3] == '1' then
  if redis.call('SET', KEYS[2], ARGV[1], 'NX') then return {2} end
elseif redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
return {0}`)
	release = redis.NewScript(`if ARGV[2] == '1' or redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) end
return 0`)
)

func (d *dedup) Do(ctx context.Context, key string, call func(context.Context) ([]byte, error)) ([]byte, error) {
	prefix := d.o.Prefix
	if d.f.noPrefix {
		prefix = "dedup"
	}
	answer, lock := prefix+":answer:"+key, prefix+":lock:"+key
	if d.f.noLock {
		if v, err := d.rdb.Get(ctx, answer).Bytes(); err == nil {
			return v, nil
		}
		return d.lead(ctx, answer, lock, "", call)
	}
	var b [12]byte
	rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	for {
		if v, err := d.rdb.Get(ctx, answer).Bytes(); err == nil {
			return v, nil
		} else if err != redis.Nil {
			return nil, err
		}
		var r []any
		var err error
		if d.f.checkThenLock {
			var ok bool
			ok, err = d.rdb.SetNX(ctx, lock, token, d.o.LockTTL).Result()
			r = []any{int64(0)}
			if ok {
				r = []any{int64(2)}
			}
		} else {
			r, err = claim.Run(ctx, d.rdb, []string{answer, lock}, token, d.o.LockTTL.Milliseconds(),
				flag(d.f.lockForever)).Slice()
		}
		if err != nil {
			return nil, err
		}
		switch r[0].(int64) {
		case 1:
			return []byte(r[1].(string)), nil
		case 2:
			return d.lead(ctx, answer, lock, token, call)
		}
		t := time.NewTimer(d.o.LockTTL / 4)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

func (d *dedup) lead(ctx context.Context, answer, lock, token string, call func(context.Context) ([]byte, error)) ([]byte, error) {
	cctx := ctx
	if d.f.ownCtx {
		cctx = context.Background()
	}
	v, err := call(cctx)
	bg := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		ttl := d.o.TTL
		if d.f.answerForever {
			ttl = 0
		}
		d.rdb.Set(bg, answer, v, ttl)
	case d.f.storeFailure:
		d.rdb.Set(bg, answer, "", d.o.TTL)
	}
	if token != "" {
		release.Run(bg, d.rdb, []string{lock}, token, flag(d.f.releaseAny))
	}
	return v, err
}

func (d *dedup) Close() error { return nil }

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
