package scaletest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redislocal"
	"github.com/llmperf/workbook/lessons/scale"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/redis/go-redis/v9"
)

// NewDedup makes the Deduper under test.
type NewDedup = func(rdb *redis.Client, o scale.Options) scale.Deduper

// bound caps every wait of the suite: a correct implementation is done in a small fraction of it, so reaching it
// means something never happens (it is not a timing assertion).
const bound = 10 * time.Second

// env is one check's world: a Redis database of its own, a prefix of its own, and processes made on demand.
type env struct {
	srv   *redislocal.Server
	db    int
	opt   scale.Options
	new   NewDedup
	mu    sync.Mutex
	procs []*proc
}

// proc is one simulated process: a Redis client of its own and a Deduper on it.
type proc struct {
	rdb    *redis.Client
	d      scale.Deduper
	closed bool
}

func newEnv(srv *redislocal.Server, db int, lockTTL time.Duration, nd NewDedup) (*env, error) {
	e := &env{srv: srv, db: db, new: nd,
		opt: scale.Options{Prefix: fmt.Sprintf("dedup-check-%d", db), TTL: time.Minute, LockTTL: lockTTL}}
	rdb := e.client()
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		return nil, fmt.Errorf("flushing Redis database %d: %w", db, err)
	}
	return e, nil
}

func (e *env) client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: e.srv.Addr(), DB: e.db})
}

func (e *env) proc() *proc {
	p := &proc{rdb: e.client()}
	p.d = e.new(p.rdb, e.opt)
	e.mu.Lock()
	e.procs = append(e.procs, p)
	e.mu.Unlock()
	return p
}

// slowProc is a process whose connections to Redis add latency to every command it sends.
func (e *env) slowProc(latency time.Duration) *proc {
	rdb := redis.NewClient(&redis.Options{Addr: e.srv.Addr(), DB: e.db,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return slowConn{c, latency}, nil
		}})
	p := &proc{rdb: rdb, d: e.new(rdb, e.opt)}
	e.mu.Lock()
	e.procs = append(e.procs, p)
	e.mu.Unlock()
	return p
}

// slowConn delays every write: a network with latency.
type slowConn struct {
	net.Conn
	latency time.Duration
}

func (c slowConn) Write(b []byte) (int, error) {
	time.Sleep(c.latency)
	return c.Conn.Write(b)
}

// close closes every process's Deduper, then its client.
func (e *env) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.procs {
		if !p.closed {
			p.d.Close()
			p.rdb.Close()
			p.closed = true
		}
	}
}

// crash ends p as a process's death would: its Redis connections go, nothing is released.
func (e *env) crash(p *proc) {
	p.rdb.Close()
}

// keys returns every key in the check's database with its time to live (-1: none).
func (e *env) keys() (map[string]time.Duration, error) {
	rdb := e.client()
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	ks, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{}
	for _, k := range ks {
		ttl, err := rdb.PTTL(ctx, k).Result()
		if err != nil {
			return nil, err
		}
		if ttl == -2*time.Nanosecond || ttl == -2*time.Millisecond {
			continue // gone meanwhile
		}
		out[k] = ttl
	}
	return out, nil
}

// counter counts upstream calls, by key.
type counter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *counter) add(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[key]++
	return c.calls[key]
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[key]
}

// result is what one Do returned.
type result struct {
	v   []byte
	err error
}

// soon bounds the wait for what a correct implementation does at once (return when ctx ends, end its
// goroutines on Close): reaching it means it does not happen.
const soon = 3 * time.Second

// waitFor waits until cond holds, up to limit; it reports whether it did.
func waitFor(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// DedupChecks are the dedup exercise's checks, on srv (each in a Redis database of its own).
func DedupChecks(srv *redislocal.Server, nd NewDedup) []suite.Check {
	with := func(db int, lockTTL time.Duration, f func(e *env) error) func(t *testing.T) error {
		return func(t *testing.T) error {
			e, err := newEnv(srv, db, lockTTL, nd)
			if err != nil {
				return err
			}
			defer e.close()
			return f(e)
		}
	}
	return []suite.Check{
		{Name: "a stored answer serves another process without a call", Stop: true,
			Run: with(1, time.Second, checkHit)},
		{Name: "100 identical misses in 100 processes make one call, and all get its answer",
			Run: with(3, time.Second, checkHundred)},
		{Name: "every key is under Prefix and expires: the lock within LockTTL, the answer within TTL",
			Run: with(2, time.Second, checkKeys)},
		{Name: "a caller that missed just before the answer was stored does not call again",
			Run: with(4, 400*time.Millisecond, checkLateCallers)},
		{Name: "a failed call is not stored: callers get the error or an answer, never an empty one",
			Run: with(5, time.Second, checkFailure)},
		{Name: "a leader whose lock was lost does not release the next leader's lock",
			Run: with(6, time.Second, checkLostLock)},
		{Name: "a leader that dies: its lock expires and one waiting caller calls instead",
			Run: with(7, 200*time.Millisecond, checkLeaderDies)},
		{Name: "Do returns when its context ends, and Close leaves nothing running",
			Run: with(8, time.Second, checkContext)},
	}
}

func answer(key string, n int) []byte { return fmt.Appendf(nil, "answer %d for %s", n, key) }

func checkHit(e *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	var c counter
	call := func(key string) func(context.Context) ([]byte, error) {
		return func(context.Context) ([]byte, error) { return answer(key, c.add(key)), nil }
	}
	a, b := e.proc(), e.proc()
	v, err := a.d.Do(ctx, "q1", call("q1"))
	if err != nil || string(v) != string(answer("q1", 1)) || c.get("q1") != 1 {
		return fmt.Errorf("first Do(q1) = %q, %v after %d calls; want the call's answer %q after 1 call", v, err,
			c.get("q1"), answer("q1", 1))
	}
	for i, p := range []*proc{a, b} {
		v, err = p.d.Do(ctx, "q1", call("q1"))
		if err != nil || string(v) != string(answer("q1", 1)) || c.get("q1") != 1 {
			return fmt.Errorf("Do(q1) again in process %d = %q, %v, %d calls in all; want the stored %q and no call", i+1,
				v, err, c.get("q1"), answer("q1", 1))
		}
	}
	v, err = b.d.Do(ctx, "q2", call("q2"))
	if err != nil || string(v) != string(answer("q2", 1)) || c.get("q2") != 1 {
		return fmt.Errorf("Do(q2) = %q, %v after %d calls; want its own call's answer %q", v, err, c.get("q2"),
			answer("q2", 1))
	}
	return nil
}

func checkKeys(e *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	in, release := make(chan struct{}), make(chan struct{})
	p := e.proc()
	done := make(chan result, 1)
	go func() {
		v, err := p.d.Do(ctx, "q", func(context.Context) ([]byte, error) {
			close(in)
			<-release
			return []byte("the answer"), nil
		})
		done <- result{v, err}
	}()
	select {
	case <-in:
	case <-ctx.Done():
		close(release)
		return errors.New("Do on a miss never called")
	}
	during, err := e.keys()
	close(release)
	if err != nil {
		return err
	}
	r := <-done
	if r.err != nil || string(r.v) != "the answer" {
		return fmt.Errorf("Do = %q, %v; want the call's answer", r.v, r.err)
	}
	after, err := e.keys()
	if err != nil {
		return err
	}
	if len(during) == 0 {
		return errors.New("no key in Redis while a call was in flight: where is the lock?")
	}
	if len(after) == 0 {
		return errors.New("no key in Redis after Do returned: the answer was not stored")
	}
	for _, s := range []struct {
		when string
		keys map[string]time.Duration
		max  time.Duration
	}{{"while the call was in flight", during, max(e.opt.LockTTL, e.opt.TTL)}, {"after Do", after, e.opt.TTL}} {
		for k, ttl := range s.keys {
			switch {
			case !strings.HasPrefix(k, e.opt.Prefix):
				return fmt.Errorf("key %q %s does not start with Prefix %q", k, s.when, e.opt.Prefix)
			case ttl < 0:
				return fmt.Errorf("key %q %s never expires: give every key a TTL (SET ... PX, or PEXPIRE)", k, s.when)
			case ttl > s.max:
				return fmt.Errorf("key %q %s expires in %v, after the %v it may live", k, s.when, ttl, s.max)
			}
		}
	}
	for _, ttl := range during {
		if ttl <= e.opt.LockTTL {
			return nil
		}
	}
	return fmt.Errorf("no key in flight expires within LockTTL (%v): the lock must, or a dead leader holds it for good",
		e.opt.LockTTL)
}

// concurrently runs n processes' Do on key at once (each in a process of its own) and returns what they got.
func concurrently(ctx context.Context, e *env, n int, key string, call func(context.Context) ([]byte, error)) []result {
	ps := make([]*proc, n)
	for i := range ps {
		ps[i] = e.proc()
	}
	out := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			<-start
			v, err := p.d.Do(ctx, key, call)
			out[i] = result{v, err}
		})
	}
	close(start)
	wg.Wait()
	return out
}

func checkHundred(e *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	var c counter
	rs := concurrently(ctx, e, 100, "q", func(context.Context) ([]byte, error) {
		n := c.add("q")
		time.Sleep(100 * time.Millisecond) // a call takes a while: the others arrive while it is in flight
		return answer("q", n), nil
	})
	if n := c.get("q"); n != 1 {
		return fmt.Errorf("%d upstream calls for 100 identical concurrent misses, want 1", n)
	}
	for i, r := range rs {
		if r.err != nil || string(r.v) != string(answer("q", 1)) {
			return fmt.Errorf("process %d got %q, %v; want the one call's answer %q", i, r.v, r.err, answer("q", 1))
		}
	}
	return nil
}

// checkLateCallers opens the window between a caller's miss and its claim of the lock the way a slow network
// does: the leader's process is near Redis, the others' connections add latency to every command, and they
// arrive while the leader's call ends. A caller whose miss came just before the leader stored its answer then
// claims after the leader released the lock: a claim that does not look for the answer again calls again.
func checkLateCallers(e *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	var c counter
	const keys, late = 20, 8
	const latency = 2 * time.Millisecond
	leader := e.proc()
	ps := make([]*proc, late)
	for i := range ps {
		ps[i] = e.slowProc(latency)
	}
	for k := range keys {
		key := fmt.Sprintf("late-%d", k)
		var wg sync.WaitGroup
		bad := make(chan string, late+1)
		do := func(p *proc) {
			v, err := p.d.Do(ctx, key, func(context.Context) ([]byte, error) {
				n := c.add(key)
				time.Sleep(3 * time.Millisecond) // the call ends while the late callers look
				return answer(key, n), nil
			})
			if err != nil || string(v) != string(answer(key, 1)) {
				bad <- fmt.Sprintf("%q, %v", v, err)
			}
		}
		wg.Go(func() { do(leader) })
		for i, p := range ps {
			wg.Go(func() {
				time.Sleep(time.Duration(i+1) * latency / 5) // spread over the leader's call
				do(p)
			})
		}
		wg.Wait()
		close(bad)
		if n := c.get(key); n != 1 {
			return fmt.Errorf("%d upstream calls for %d identical misses, want 1: a caller that missed just before the "+
				"leader stored its answer and released the lock took the freed lock and called again. Claim the lock "+
				"in one step (a Lua script) that first looks for a stored answer", n, late+1)
		}
		for s := range bad {
			return fmt.Errorf("a caller of %s got %s; want %q", key, s, answer(key, 1))
		}
	}
	return nil
}

var errUpstream = errors.New("upstream: 500 internal error")

func checkFailure(e *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	var c counter
	rs := concurrently(ctx, e, 10, "q", func(context.Context) ([]byte, error) {
		if c.add("q") == 1 {
			time.Sleep(100 * time.Millisecond) // the others wait for this call
			return nil, errUpstream
		}
		return []byte("the answer"), nil
	})
	failed := 0
	for i, r := range rs {
		switch {
		case r.err != nil:
			failed++
		case string(r.v) != "the answer":
			return fmt.Errorf("process %d got %q and no error after the leader's call failed: never an empty "+
				"or made-up answer", i, r.v)
		}
	}
	if failed == 0 {
		return errors.New("no caller got the failed call's error: the one whose call failed must return it")
	}
	v, err := e.proc().d.Do(ctx, "q", func(context.Context) ([]byte, error) { c.add("q"); return []byte("the answer"), nil })
	if err != nil || string(v) != "the answer" {
		return fmt.Errorf("Do after a failed call = %q, %v; want %q: a failure must not be stored", v, err, "the answer")
	}
	return nil
}

func checkLostLock(e *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	inA, releaseA := make(chan struct{}), make(chan struct{})
	inB, releaseB := make(chan struct{}), make(chan struct{})
	defer func() {
		for _, ch := range []chan struct{}{releaseA, releaseB} {
			select {
			case <-ch:
			default:
				close(ch)
			}
		}
	}()
	a, b := e.proc(), e.proc()
	doneA, doneB := make(chan result, 1), make(chan result, 1)
	go func() {
		v, err := a.d.Do(ctx, "q", func(context.Context) ([]byte, error) { close(inA); <-releaseA; return nil, errUpstream })
		doneA <- result{v, err}
	}()
	select {
	case <-inA:
	case <-ctx.Done():
		return errors.New("Do on a miss never called")
	}
	// The lock is lost while its leader calls (it expired in a long pause, Redis failed over): take it away.
	ks, err := e.keys()
	if err != nil {
		return err
	}
	if len(ks) == 0 {
		return errors.New("no key in Redis while a call was in flight: where is the lock?")
	}
	rdb := e.client()
	defer rdb.Close()
	for k := range ks {
		rdb.Del(ctx, k)
	}
	go func() {
		v, err := b.d.Do(ctx, "q", func(context.Context) ([]byte, error) { close(inB); <-releaseB; return []byte("B"), nil })
		doneB <- result{v, err}
	}()
	select {
	case <-inB:
	case r := <-doneB:
		return fmt.Errorf("with the first leader's lock gone, a second caller got %q, %v without calling", r.v, r.err)
	case <-ctx.Done():
		return errors.New("with the first leader's lock gone, a second caller never took it and called")
	}
	close(releaseA)
	if r := <-doneA; r.err == nil {
		return fmt.Errorf("the first leader's call failed, yet its Do returned %q and no error", r.v)
	}
	ks, err = e.keys()
	if err != nil {
		return err
	}
	if len(ks) == 0 {
		return errors.New("the first leader, returning, deleted the second leader's lock: release the lock only " +
			"if it still holds your token (GET and DEL in one Lua script)")
	}
	close(releaseB)
	if r := <-doneB; r.err != nil || string(r.v) != "B" {
		return fmt.Errorf("the second leader's Do = %q, %v; want its call's answer", r.v, r.err)
	}
	return nil
}

func checkLeaderDies(e *env) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	var c counter
	in, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	leader := e.proc()
	go leader.d.Do(ctx, "q", func(context.Context) ([]byte, error) {
		c.add("q")
		close(in)
		<-release
		return []byte("from the dead"), nil
	})
	select {
	case <-in:
	case <-ctx.Done():
		return errors.New("Do on a miss never called")
	}
	e.crash(leader)
	rs := concurrently(ctx, e, 5, "q", func(context.Context) ([]byte, error) { return answer("q", c.add("q")), nil })
	if n := c.get("q"); n != 2 {
		return fmt.Errorf("%d upstream calls, want 2: the dead leader's and one by a caller that took over "+
			"when its lock expired", n)
	}
	for i, r := range rs {
		if r.err != nil || string(r.v) != string(answer("q", 2)) {
			return fmt.Errorf("waiting caller %d got %q, %v; want the answer of the one that took over, %q", i, r.v,
				r.err, answer("q", 2))
		}
	}
	return nil
}

func checkContext(e *env) error {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan struct{})
	var once sync.Once
	call := func(ctx context.Context) ([]byte, error) {
		once.Do(func() { close(in) })
		<-ctx.Done()
		return nil, ctx.Err()
	}
	const n = 6
	var returned atomic.Int32
	rs := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		p := e.proc()
		wg.Go(func() {
			if i > 0 {
				<-in
			}
			v, err := p.d.Do(ctx, "q", call)
			rs[i] = result{v, err}
			returned.Add(1)
		})
	}
	select {
	case <-in:
	case <-time.After(bound):
		cancel()
		wg.Wait()
		return errors.New("Do on a miss never called")
	}
	cancel()
	if !waitFor(soon, func() bool { return returned.Load() == n }) {
		return fmt.Errorf("%d of %d callers still in Do %v after their context ended", n-int(returned.Load()), n, soon)
	}
	wg.Wait()
	for i, r := range rs {
		if r.err == nil {
			return fmt.Errorf("caller %d got %q and no error, though its context ended before any answer", i, r.v)
		}
	}
	e.close()
	if !waitFor(soon, func() bool { return runtime.NumGoroutine() <= before }) {
		return fmt.Errorf("%d goroutines more than before the check, %v after every Deduper and client was closed: "+
			"end every goroutine you start when its context ends or Close is called", runtime.NumGoroutine()-before, soon)
	}
	return nil
}
