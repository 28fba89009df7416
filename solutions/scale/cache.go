package scale

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmperf/workbook/solutions/caching"
	"github.com/redis/go-redis/v9"
)

// CacheOptions configure a Cache; the zero value is ready.
type CacheOptions struct {
	// Prefix starts every Redis key and channel; default "llmperf:scale".
	Prefix string
	// TTL is how long an answer is kept; default 1 h.
	TTL time.Duration
	// LockTTL is how long a leader's lock lives unless renewed: how long the others wait for a leader that died
	// before one of them calls instead. The leader renews it every LockTTL/3 while it calls. Default 10 s.
	LockTTL time.Duration
	// MaxValueBytes: a larger answer is returned but not stored (the waiting callers then call for themselves).
	// Default 1 MiB. The whole cache is bounded by Redis's maxmemory (kit/redislocal runs one with 64 MiB, LRU).
	MaxValueBytes int
	// RetryEvery is how often a process that lost Redis tries it again; default 1 s.
	RetryEvery time.Duration
	// Warnings gets the one line a process writes when it loses Redis, and the one when it is back; nil: os.Stderr.
	Warnings io.Writer
}

// Cache is a response cache in Redis shared by every process that uses the same Redis and Prefix: an exact key,
// an answer kept for TTL. It also makes identical misses that happen at the same time in different processes
// cost one upstream call: the first to miss takes a short-lived lock key and calls; the others wait for its
// answer (Redis tells them through pub/sub, and they look again every LockTTL/4 in case the message was lost). A
// leader that dies lets its lock expire, and one of the waiting callers takes over. A leader whose call fails
// passes its error to those waiting, as singleflight does; one whose caller gave up lets them try again.
//
// If Redis fails, every call goes straight upstream (Source Bypass) after one warning; the cache is used again as
// soon as Redis answers. Entries carry a checksum: an entry that does not match is a miss, never an answer. Safe
// for concurrent use; Close ends its subscription.
type Cache struct {
	rdb redis.UniversalClient
	opt CacheOptions

	mu      sync.Mutex
	sub     *redis.PubSub
	subErr  error
	waiters map[string]map[chan string]struct{} // by key: callers waiting for a leader
	closed  bool
	down    bool
	retryAt time.Time
	wg      sync.WaitGroup

	counts [4]atomic.Int64 // by caching.Source
	errors atomic.Int64

	afterMiss func(key string) // tests: runs between a caller's miss and its claim of the lock
}

// NewCache returns a cache kept in rdb.
func NewCache(rdb redis.UniversalClient, o CacheOptions) *Cache {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.TTL <= 0 {
		o.TTL = time.Hour
	}
	if o.LockTTL <= 0 {
		o.LockTTL = 10 * time.Second
	}
	if o.MaxValueBytes <= 0 {
		o.MaxValueBytes = 1 << 20
	}
	if o.RetryEvery <= 0 {
		o.RetryEvery = time.Second
	}
	if o.Warnings == nil {
		o.Warnings = os.Stderr
	}
	return &Cache{rdb: rdb, opt: o, waiters: map[string]map[chan string]struct{}{}}
}

// Messages a leader publishes on the key's channel.
const (
	msgStored   = "stored"  // the answer is in the cache
	msgNotKept  = "big"     // the answer was too large to keep: call for yourself
	msgGone     = "gone"    // the leader's caller gave up: try again
	msgFailed   = "failed:" // + the error: the call failed
	maxErrorLen = 1000
)

// Do returns the answer stored under key, or calls fill — once across every process that asks for key at the
// same time — and stores what it returns. It says where the answer came from: Hit, Miss (this caller filled
// it), Shared (another caller's fill, waited for) or Bypass (Redis failed; fill was called directly).
func (c *Cache) Do(ctx context.Context, key string, fill func(context.Context) ([]byte, error)) ([]byte, caching.Source, error) {
	if len(key) > 200 { // keys stay short, whatever the caller uses
		sum := sha256.Sum256([]byte(key))
		key = hex.EncodeToString(sum[:])
	}
	if !c.tryRedis() {
		return c.bypass(ctx, fill)
	}
	wake, err := c.listen(ctx, key)
	if err != nil {
		if ctx.Err() != nil {
			return nil, caching.Miss, c.count(caching.Miss, ctx.Err())
		}
		c.failed(err)
		return c.bypass(ctx, fill)
	}
	defer c.unlisten(key, wake)
	waited := false
	poll := min(max(c.opt.LockTTL/4, 20*time.Millisecond), time.Second)
	for {
		v, torn, err := c.get(ctx, key)
		switch {
		case err == nil && waited:
			return v, caching.Shared, c.count(caching.Shared, nil)
		case err == nil:
			return v, caching.Hit, c.count(caching.Hit, nil)
		case ctx.Err() != nil:
			return nil, caching.Miss, c.count(caching.Miss, ctx.Err())
		case !errors.Is(err, redis.Nil):
			c.failed(err)
			return c.bypass(ctx, fill)
		}
		if c.afterMiss != nil {
			c.afterMiss(key)
		}
		token := newToken()
		stored, ok, err := c.claim(ctx, key, token, torn)
		switch {
		case ctx.Err() != nil:
			return nil, caching.Miss, c.count(caching.Miss, ctx.Err())
		case err != nil:
			c.failed(err)
			return c.bypass(ctx, fill)
		case stored != nil: // an answer stored since the miss: look again
			continue
		case ok:
			c.up()
			v, err := c.lead(ctx, key, token, fill)
			return v, caching.Miss, c.count(caching.Miss, err)
		}
		waited = true
		t := time.NewTimer(poll)
		select {
		case msg := <-wake:
			t.Stop()
			switch {
			case msg == msgNotKept:
				return c.bypass(ctx, fill)
			case strings.HasPrefix(msg, msgFailed):
				err := fmt.Errorf("scale: the identical call in flight failed: %s", strings.TrimPrefix(msg, msgFailed))
				return nil, caching.Shared, c.count(caching.Shared, err)
			}
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, caching.Shared, c.count(caching.Shared, ctx.Err())
		}
	}
}

// lead calls fill while holding the lock (renewed every LockTTL/3), stores the answer, and tells the others.
func (c *Cache) lead(ctx context.Context, key, token string, fill func(context.Context) ([]byte, error)) ([]byte, error) {
	stop := make(chan struct{})
	var renewing sync.WaitGroup
	renewing.Go(func() {
		t := time.NewTicker(c.opt.LockTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				rctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
				renewScript.Run(rctx, c.rdb, []string{c.lockKey(key)}, token, c.opt.LockTTL.Milliseconds())
				cancel()
			case <-stop:
				return
			}
		}
	})
	v, err := fill(ctx)
	close(stop)
	renewing.Wait()

	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	msg := msgStored
	switch {
	case err != nil && ctx.Err() != nil:
		msg = msgGone
	case err != nil:
		msg = msgFailed + truncate(err.Error(), maxErrorLen)
	case len(v) > c.opt.MaxValueBytes:
		msg = msgNotKept
	default:
		if serr := c.rdb.Set(bg, c.valueKey(key), encode(v), c.opt.TTL).Err(); serr != nil {
			c.failed(serr)
			msg = msgGone
		}
	}
	releaseScript.Run(bg, c.rdb, []string{c.lockKey(key)}, token)
	c.rdb.Publish(bg, c.channel(key), msg)
	return v, err
}

var (
	// claimScript: KEYS value, lock; ARGV token, lock TTL in ms, the entry the caller read and found torn ("" if
	// none). It returns {0, entry} if another entry is stored, else {1} if it took the lock, {0} if another holds it.
	claimScript = redis.NewScript(`local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[3] then return {0, v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1} end
return {0}`)
	// renewScript extends the lock if this leader still holds it.
	renewScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)
	// releaseScript deletes the lock if this leader still holds it (an expired one may be another's by now).
	releaseScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) end
return 0`)
)

// get returns the answer stored under key, or redis.Nil; torn is an entry that is there and is not an answer
// (torn or foreign: a miss, never an answer).
func (c *Cache) get(ctx context.Context, key string) (v, torn []byte, err error) {
	b, err := c.rdb.Get(ctx, c.valueKey(key)).Bytes()
	if err != nil {
		return nil, nil, err
	}
	c.up()
	v, ok := decode(b)
	if !ok {
		return nil, b, redis.Nil
	}
	return v, nil, nil
}

// claim takes key's lock for token unless an entry other than torn (what the caller's miss read, if anything)
// is stored by now, in one step: a leader stores its answer before it lets go of the lock, so a caller whose
// miss came just before that answer finds it here, instead of taking the freed lock and calling again.
func (c *Cache) claim(ctx context.Context, key, token string, torn []byte) (stored []byte, locked bool, err error) {
	r, err := claimScript.Run(ctx, c.rdb, []string{c.valueKey(key), c.lockKey(key)}, token,
		c.opt.LockTTL.Milliseconds(), torn).Slice()
	if err != nil {
		return nil, false, err
	}
	if len(r) == 2 {
		s, _ := r[1].(string)
		return []byte(s), false, nil
	}
	n, _ := r[0].(int64)
	return nil, n == 1, nil
}

func (c *Cache) bypass(ctx context.Context, fill func(context.Context) ([]byte, error)) ([]byte, caching.Source, error) {
	v, err := fill(ctx)
	return v, caching.Bypass, c.count(caching.Bypass, err)
}

func (c *Cache) valueKey(key string) string { return c.opt.Prefix + ":cache:" + key }
func (c *Cache) lockKey(key string) string  { return c.opt.Prefix + ":lock:" + key }
func (c *Cache) channel(key string) string  { return c.opt.Prefix + ":done:" + key }

// listen registers a waiter for key's channel, subscribing to every key's channel first if this cache has not
// yet: a caller listens before it looks, so no answer stored after its look goes unannounced.
func (c *Cache) listen(ctx context.Context, key string) (chan string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("scale: the cache is closed")
	}
	if c.sub == nil {
		sub := c.rdb.PSubscribe(ctx, c.opt.Prefix+":done:*")
		if _, err := sub.Receive(ctx); err != nil { // the subscription's confirmation
			sub.Close()
			return nil, err
		}
		c.sub = sub
		ch := sub.Channel()
		c.wg.Go(func() { c.dispatch(ch) })
	}
	w := make(chan string, 1)
	if c.waiters[key] == nil {
		c.waiters[key] = map[chan string]struct{}{}
	}
	c.waiters[key][w] = struct{}{}
	return w, nil
}

func (c *Cache) unlisten(key string, w chan string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.waiters[key], w)
	if len(c.waiters[key]) == 0 {
		delete(c.waiters, key)
	}
}

// dispatch hands every message to the callers waiting for its key; it ends when the subscription is closed.
func (c *Cache) dispatch(ch <-chan *redis.Message) {
	prefix := c.opt.Prefix + ":done:"
	for m := range ch {
		key := strings.TrimPrefix(m.Channel, prefix)
		c.mu.Lock()
		for w := range c.waiters[key] {
			select {
			case w <- m.Payload:
			default: // it has a message it has not read yet
			}
		}
		c.mu.Unlock()
	}
}

// Close ends the subscription. Calls after Close go straight upstream.
func (c *Cache) Close() error {
	c.mu.Lock()
	c.closed = true
	sub := c.sub
	c.sub = nil
	c.mu.Unlock()
	var err error
	if sub != nil {
		err = sub.Close()
	}
	c.wg.Wait()
	return err
}

// tryRedis says whether to use Redis: it is not known to be down, or it is time to try it again.
func (c *Cache) tryRedis() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.closed && (!c.down || !time.Now().Before(c.retryAt))
}

func (c *Cache) up() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		c.down = false
		fmt.Fprintln(c.opt.Warnings, "scale: Redis answers again: the response cache is shared again")
	}
}

func (c *Cache) failed(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.retryAt = time.Now().Add(c.opt.RetryEvery)
	if c.down {
		return
	}
	c.down = true
	fmt.Fprintf(c.opt.Warnings, "scale: Redis failed (%v): until it answers again, this process calls upstream "+
		"without the shared cache (trying Redis every %v)\n", err, c.opt.RetryEvery)
}

func (c *Cache) count(s caching.Source, err error) error {
	if err != nil {
		c.errors.Add(1)
	} else {
		c.counts[s].Add(1)
	}
	return err
}

// Stats counts the cache's answers by where they came from; failed calls count as Errors only.
func (c *Cache) Stats() caching.ClientStats {
	return caching.ClientStats{Hits: c.counts[caching.Hit].Load(), Misses: c.counts[caching.Miss].Load(),
		Shared: c.counts[caching.Shared].Load(), Bypassed: c.counts[caching.Bypass].Load(), Errors: c.errors.Load()}
}

// An entry is a 4-byte magic, the CRC-32C of the answer, then the answer.
var (
	magic  = [4]byte{'s', 'c', '1', 0}
	crcTab = crc32.MakeTable(crc32.Castagnoli)
)

func encode(v []byte) []byte {
	b := make([]byte, 8, 8+len(v))
	copy(b, magic[:])
	binary.BigEndian.PutUint32(b[4:], crc32.Checksum(v, crcTab))
	return append(b, v...)
}

func decode(b []byte) ([]byte, bool) {
	if len(b) < 8 || [4]byte(b[:4]) != magic || binary.BigEndian.Uint32(b[4:8]) != crc32.Checksum(b[8:], crcTab) {
		return nil, false
	}
	return b[8:], true
}

func newToken() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
