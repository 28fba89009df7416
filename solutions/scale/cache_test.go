package scale_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/scale"
)

// TestHundredIdenticalMisses: 100 clients in four processes (each client with its own Redis connections and
// cache, as a process of its own would have) ask the same question at the same moment: one upstream call, the
// same answer for all. A fifth process asking later gets it from the cache: no call at all.
func TestHundredIdenticalMisses(t *testing.T) {
	srv := startRedis(t)
	m, base := serveMock(t, mock.Config{TTFT: 300 * time.Millisecond, Seed: 1})
	const procs, clients = 4, 25
	jobs := make([]job, procs)
	for p := range jobs {
		jobs[p] = job{Role: "dedup", Redis: srv.URL(), Mock: base, Name: t.Name(), Process: p, Clients: clients,
			LockTTL: 2 * time.Second, Prompt: "Which crew poured the slab on level 3?"}
	}
	children := startAll(t, jobs...)
	sources, answers := map[string]int{}, map[string]int{}
	for p, c := range children {
		rep := c.wait(t)
		if rep.Failed > 0 {
			t.Errorf("process %d: %d calls failed: %s", p, rep.Failed, c.stderr)
		}
		for k, v := range rep.Sources {
			sources[k] += v
		}
		for k, v := range rep.Answers {
			answers[k] += v
		}
	}
	calls := m.Stats().ByEndpoint["/v1/chat/completions"]
	t.Logf("%d clients in %d processes: %d upstream call(s); answers by source %v", procs*clients, procs, calls, sources)
	if calls != 1 {
		t.Errorf("%d upstream calls for 100 identical concurrent misses, want 1", calls)
	}
	if len(answers) != 1 || sources["miss"] != 1 || sources["miss"]+sources["shared"]+sources["hit"] != procs*clients {
		t.Errorf("answers %v by source %v: want one answer, one miss, the others shared (or hits)", answers, sources)
	}

	later := startAll(t, job{Role: "dedup", Redis: srv.URL(), Mock: base, Name: t.Name(), Process: 9, Clients: 1,
		LockTTL: 2 * time.Second, Prompt: "Which crew poured the slab on level 3?"})
	rep := later[0].wait(t)
	if rep.Sources["hit"] != 1 || m.Stats().ByEndpoint["/v1/chat/completions"] != 1 {
		t.Errorf("a process asking later: %v, %d upstream calls; want a hit and still one call", rep.Sources,
			m.Stats().ByEndpoint["/v1/chat/completions"])
	}
}

// TestLeaderDies: the process that took the lock for a question is killed while it calls; the ten clients of
// another process waiting for its answer take over once its lock expires, and make one call between them.
func TestLeaderDies(t *testing.T) {
	srv := startRedis(t)
	m, base := serveMock(t, mock.Config{TTFT: 100 * time.Millisecond, Seed: 1})
	const prompt = "How many workers were on site on Tuesday?"
	const lockTTL = 600 * time.Millisecond
	leader := startChild(t, job{Role: "lead-and-hang", Redis: srv.URL(), Mock: base, Name: t.Name(), LockTTL: lockTTL,
		Prompt: "chat:" + chatKey(t, prompt)})
	leader.expect(t, "leading")
	followers := startAll(t, job{Role: "dedup", Redis: srv.URL(), Mock: base, Name: t.Name(), Clients: 10,
		LockTTL: lockTTL, Prompt: prompt})
	time.Sleep(lockTTL / 2) // they wait for the leader
	if err := leader.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	rep := followers[0].wait(t)
	calls := m.Stats().ByEndpoint["/v1/chat/completions"]
	t.Logf("after the leader died: %d upstream call(s); answers by source %v", calls, rep.Sources)
	if rep.Failed > 0 || rep.OK != 10 || len(rep.Answers) != 1 {
		t.Errorf("followers: %+v; stderr: %s", rep, followers[0].stderr)
	}
	if calls != 1 || rep.Sources["miss"] != 1 {
		t.Errorf("%d upstream calls, sources %v: want one follower to take over and call once", calls, rep.Sources)
	}
}

// chatKey is the cache key scale.Client uses for the dedup children's request with prompt.
func chatKey(t *testing.T, prompt string) string {
	t.Helper()
	k, err := caching.Key(dedupRequest(prompt))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newCache returns a cache of its own (its own client) on srv.
func newCache(t *testing.T, url string, o scale.CacheOptions) *scale.Cache {
	t.Helper()
	rdb, err := scale.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	c := scale.NewCache(rdb, o)
	t.Cleanup(func() { c.Close(); rdb.Close() })
	return c
}

// TestLeaderFails: the leader's call fails; the caller waiting for it gets that error (as with singleflight),
// and nothing is stored: the next call asks again.
func TestLeaderFails(t *testing.T) {
	srv := startRedis(t)
	o := scale.CacheOptions{Prefix: t.Name(), LockTTL: 2 * time.Second, Warnings: t.Output()}
	a, b := newCache(t, srv.URL(), o), newCache(t, srv.URL(), o)
	started := make(chan struct{})
	boom := errors.New("upstream: 500")
	var wg sync.WaitGroup
	wg.Go(func() {
		_, src, err := a.Do(t.Context(), "k", func(context.Context) ([]byte, error) {
			close(started)
			time.Sleep(300 * time.Millisecond)
			return nil, boom
		})
		if !errors.Is(err, boom) || src != caching.Miss {
			t.Errorf("leader: %v %v, want its own error as a miss", src, err)
		}
	})
	<-started
	_, src, err := b.Do(t.Context(), "k", func(context.Context) ([]byte, error) {
		t.Error("the follower called while the leader's call was in flight")
		return nil, nil
	})
	wg.Wait()
	if err == nil || !strings.Contains(err.Error(), "upstream: 500") || src != caching.Shared {
		t.Errorf("follower: %v %v, want the leader's error, shared", src, err)
	}
	v, src, err := b.Do(t.Context(), "k", func(context.Context) ([]byte, error) { return []byte("ok"), nil })
	if string(v) != "ok" || src != caching.Miss || err != nil {
		t.Errorf("after a failed call: %q %v %v, want a new miss", v, src, err)
	}
}

// TestLeaderGivesUp: a leader whose caller goes away lets the waiting caller take over at once.
func TestLeaderGivesUp(t *testing.T) {
	srv := startRedis(t)
	o := scale.CacheOptions{Prefix: t.Name(), LockTTL: 10 * time.Second, Warnings: t.Output()}
	a, b := newCache(t, srv.URL(), o), newCache(t, srv.URL(), o)
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		a.Do(ctx, "k", func(ctx context.Context) ([]byte, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		})
	})
	<-started
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	v, src, err := b.Do(t.Context(), "k", func(context.Context) ([]byte, error) { return []byte("mine"), nil })
	wg.Wait()
	if string(v) != "mine" || src != caching.Miss || err != nil {
		t.Errorf("after the leader gave up: %q %v %v, want the follower's own call", v, src, err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("the follower waited %v: it should take over when the leader gives up, not when its lock expires", waited)
	}
}

// TestTornEntry: an entry that is not what the cache wrote (a foreign or damaged value) is a miss, never an
// answer; a value too large to keep is returned and not stored.
func TestTornEntry(t *testing.T) {
	srv := startRedis(t)
	rdb, _ := scale.Connect(srv.URL())
	defer rdb.Close()
	c := newCache(t, srv.URL(), scale.CacheOptions{Prefix: t.Name(), MaxValueBytes: 10, Warnings: t.Output()})
	for _, bad := range []string{"", "sc1", "sc1\x00\x00\x00\x00\x00torn", "{\"choices\":[]}"} {
		rdb.Set(t.Context(), t.Name()+":cache:k", bad, time.Minute)
		v, src, err := c.Do(t.Context(), "k", func(context.Context) ([]byte, error) { return []byte("fresh"), nil })
		if string(v) != "fresh" || src != caching.Miss || err != nil {
			t.Errorf("entry %q: %q %v %v, want a miss", bad, v, src, err)
		}
		if v, src, _ := c.Do(t.Context(), "k", nil); string(v) != "fresh" || src != caching.Hit {
			t.Errorf("after the miss: %q %v, want the fresh answer as a hit", v, src)
		}
	}
	big := bytes.Repeat([]byte("x"), 11)
	calls := 0
	for range 2 {
		v, _, _ := c.Do(t.Context(), "big", func(context.Context) ([]byte, error) { calls++; return big, nil })
		if !bytes.Equal(v, big) {
			t.Errorf("a value too large to keep: got %q", v)
		}
	}
	if calls != 2 {
		t.Errorf("a value too large to keep was called for %d times in two asks, want 2 (not stored)", calls)
	}
}

// TestCacheWithoutRedis: with Redis down every call goes upstream (Bypass) after one warning; when Redis is
// back the cache works again, and says so once.
func TestCacheWithoutRedis(t *testing.T) {
	srv := startRedis(t)
	var warnings strings.Builder
	c := newCache(t, srv.URL(), scale.CacheOptions{Prefix: t.Name(), RetryEvery: 50 * time.Millisecond, Warnings: &warnings})
	var calls atomic.Int64
	fill := func(context.Context) ([]byte, error) { calls.Add(1); return []byte("a"), nil }
	if _, src, _ := c.Do(t.Context(), "k", fill); src != caching.Miss {
		t.Fatalf("first call: %v, want a miss", src)
	}
	srv.Kill()
	for range 3 {
		if v, src, err := c.Do(t.Context(), "k", fill); string(v) != "a" || src != caching.Bypass || err != nil {
			t.Errorf("with Redis down: %q %v %v, want a bypass", v, src, err)
		}
	}
	if n := strings.Count(warnings.String(), "scale: Redis failed"); n != 1 {
		t.Errorf("%d warnings, want 1: %s", n, warnings.String())
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	if _, src, _ := c.Do(t.Context(), "k", fill); src != caching.Miss { // Redis came back empty
		t.Errorf("with Redis back: %v, want a miss", src)
	}
	if _, src, _ := c.Do(t.Context(), "k", fill); src != caching.Hit {
		t.Errorf("with Redis back, again: %v, want a hit", src)
	}
	if !strings.Contains(warnings.String(), "scale: Redis answers again") {
		t.Errorf("no line says the cache is shared again: %s", warnings.String())
	}
	t.Logf("%d upstream calls; warnings:\n%s", calls.Load(), warnings.String())
}
