package cachingtest_test

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/caching/cachingtest"
	"github.com/llmperf/workbook/lessons/suite"
	sol "github.com/llmperf/workbook/solutions/caching"
	openai "github.com/sashabaranov/go-openai"
)

// The suite must pass the reference solution and fail each of these subtly wrong implementations, at the
// check named.

func TestReferencePasses(t *testing.T) {
	impl := sol.Impl()
	for name, checks := range map[string][]suite.Check{
		"lru":        cachingtest.LRUChecks(impl.NewLRU),
		"ttl":        cachingtest.TTLChecks(impl.NewTTL),
		"client":     cachingtest.ClientChecks(impl.NewClient),
		"persistent": cachingtest.StoreChecks(impl.OpenStore),
		"embeddings": cachingtest.EmbeddingChecks(impl.NewEmbeddings),
	} {
		if check, err := suite.FirstFailure(t, checks); err != nil {
			t.Errorf("%s: the reference fails %q: %v", name, check, err)
		}
	}
}

func expectFailure(t *testing.T, checks []suite.Check, want string) {
	t.Helper()
	check, err := suite.FirstFailure(t, checks)
	switch {
	case err == nil:
		t.Errorf("the suite accepted a broken implementation; want a failure at %q", want)
	case check != want:
		t.Errorf("failed at %q (%v), want at %q", check, err, want)
	default:
		t.Logf("rejected at %q: %v", check, err)
	}
}

func TestRejectsBrokenLRU(t *testing.T) {
	t.Run("never evicts", func(t *testing.T) {
		expectFailure(t, cachingtest.LRUChecks(func(int) caching.LRUCache[string, int] {
			return mapLRU{&cachingtest.MapCache[string, int]{}}
		}), "evicts the least recently used")
	})
	t.Run("first in, first out", func(t *testing.T) {
		expectFailure(t, cachingtest.LRUChecks(func(n int) caching.LRUCache[string, int] {
			return &fifo{capacity: n, m: map[string]int{}}
		}), "evicts the least recently used")
	})
	t.Run("allocates on a hit", func(t *testing.T) {
		expectFailure(t, cachingtest.LRUChecks(func(n int) caching.LRUCache[string, int] {
			return allocating{sol.NewLRU[string, int](n)}
		}), "a hit allocates nothing")
	})
	t.Run("Remove does nothing", func(t *testing.T) {
		expectFailure(t, cachingtest.LRUChecks(func(n int) caching.LRUCache[string, int] {
			return noRemove{sol.NewLRU[string, int](n)}
		}), "remove")
	})
	t.Run("Remove leaves the entry in the use order", func(t *testing.T) {
		expectFailure(t, cachingtest.LRUChecks(func(n int) caching.LRUCache[string, int] {
			return &fifo{capacity: n, m: map[string]int{}, use: true, sloppyRemove: true}
		}), "remove")
	})
}

// Correct LRUs written differently pass: on container/list, and wrapping hashicorp/golang-lru.
func TestAcceptsOtherLRUs(t *testing.T) {
	for name, newLRU := range map[string]func(int) caching.LRUCache[string, int]{
		"container/list":          func(n int) caching.LRUCache[string, int] { return newListLRU(n) },
		"hashicorp/golang-lru/v2": func(n int) caching.LRUCache[string, int] { return newHashicorp(n) },
	} {
		if check, err := suite.FirstFailure(t, cachingtest.LRUChecks(newLRU)); err != nil {
			t.Errorf("%s: a correct LRU fails %q: %v", name, check, err)
		}
	}
}

func TestRejectsBrokenTTL(t *testing.T) {
	t.Run("never expires", func(t *testing.T) {
		expectFailure(t, cachingtest.TTLChecks(func(n int, _ time.Duration) caching.ExpiringCache[string, int] {
			return closer{sol.NewLRU[string, int](n)}
		}), "expires exactly at the ttl")
	})
	t.Run("expires one tick late", func(t *testing.T) {
		expectFailure(t, cachingtest.TTLChecks(func(n int, ttl time.Duration) caching.ExpiringCache[string, int] {
			return &late{lru: sol.NewLRU[string, expiring](n), ttl: ttl}
		}), "expires exactly at the ttl")
	})
	t.Run("never sweeps", func(t *testing.T) {
		expectFailure(t, cachingtest.TTLChecks(func(n int, ttl time.Duration) caching.ExpiringCache[string, int] {
			return &lazy{lru: sol.NewLRU[string, expiring](n), ttl: ttl}
		}), "expired entries do not linger")
	})
	t.Run("leaks its sweeper", func(t *testing.T) {
		expectFailure(t, cachingtest.TTLChecks(func(n int, ttl time.Duration) caching.ExpiringCache[string, int] {
			c := sol.NewTTL[string, int](n, ttl)
			return leaky{c}
		}), "Close stops every goroutine")
	})
}

// A TTL cache without a sweeper whose Len drops what has expired is correct too.
func TestAcceptsTTLWithoutSweeper(t *testing.T) {
	checks := cachingtest.TTLChecks(func(n int, ttl time.Duration) caching.ExpiringCache[string, int] {
		return &lazy{lru: sol.NewLRU[string, expiring](n), ttl: ttl, purgeOnLen: true}
	})
	if check, err := suite.FirstFailure(t, checks); err != nil {
		t.Errorf("a TTL that drops expired entries in Len fails %q: %v", check, err)
	}
}

func TestRejectsBrokenClient(t *testing.T) {
	t.Run("keyed by the prompt alone", func(t *testing.T) {
		expectFailure(t, cachingtest.ClientChecks(func(up caching.Chatter, _ caching.Cache[string, openai.ChatCompletionResponse], _ caching.Policy) caching.Chatter {
			return &sol.NaiveClient{Upstream: up}
		}), "answers go in the cache it was given")
	})
	t.Run("keyed by the prompt alone, in the given cache", func(t *testing.T) {
		expectFailure(t, cachingtest.ClientChecks(func(up caching.Chatter, c caching.Cache[string, openai.ChatCompletionResponse], _ caching.Policy) caching.Chatter {
			return &promptKeyed{up: up, cache: c}
		}), "the key covers everything that changes the answer")
	})
	t.Run("temperature 0.001 is not deterministic", func(t *testing.T) {
		expectFailure(t, cachingtest.ClientChecks(func(up caching.Chatter, c caching.Cache[string, openai.ChatCompletionResponse], p caching.Policy) caching.Chatter {
			return &noDedup{up: up, cache: c, policy: p, strictGreedy: true}
		}), "policy for non-deterministic requests")
	})
	t.Run("no in-flight dedup", func(t *testing.T) {
		expectFailure(t, cachingtest.ClientChecks(func(up caching.Chatter, c caching.Cache[string, openai.ChatCompletionResponse], p caching.Policy) caching.Chatter {
			return &noDedup{up: up, cache: c, policy: p}
		}), "100 concurrent identical requests reach the upstream once")
	})
}

func TestRejectsBrokenStore(t *testing.T) {
	expectFailure(t, cachingtest.StoreChecks(func(dir string) (caching.Store, error) {
		return plainFiles(dir), os.MkdirAll(dir, 0o700)
	}), "a torn entry is a miss")
}

func TestRejectsBrokenEmbeddings(t *testing.T) {
	t.Run("sends every input", func(t *testing.T) {
		expectFailure(t, cachingtest.EmbeddingChecks(func(up caching.Embedder, m openai.EmbeddingModel, _ caching.Cache[string, []float32]) caching.BatchEmbedder {
			return sendAll{up, m}
		}), "only misses are sent")
	})
	t.Run("one request however many misses", func(t *testing.T) {
		expectFailure(t, cachingtest.EmbeddingChecks(func(up caching.Embedder, m openai.EmbeddingModel, c caching.Cache[string, []float32]) caching.BatchEmbedder {
			return &unsplit{up: up, model: m, cache: c}
		}), "big batches are split")
	})
	t.Run("trusts the indexes", func(t *testing.T) {
		expectFailure(t, from(cachingtest.EmbeddingChecks(func(up caching.Embedder, m openai.EmbeddingModel, c caching.Cache[string, []float32]) caching.BatchEmbedder {
			return &unsplit{up: up, model: m, cache: c}
		}), "a bad index is an error"), "a bad index is an error")
	})
	t.Run("trusts the answer's order", func(t *testing.T) {
		expectFailure(t, cachingtest.EmbeddingChecks(func(up caching.Embedder, m openai.EmbeddingModel, _ caching.Cache[string, []float32]) caching.BatchEmbedder {
			return sendAll{up, m}
		})[3:], "answers matched by index")
	})
}

// mapLRU is a map that never evicts.
type mapLRU struct {
	*cachingtest.MapCache[string, int]
}

func (mapLRU) Remove(string) bool { return false }

// from is checks from the one named on.
func from(checks []suite.Check, name string) []suite.Check {
	for i, c := range checks {
		if c.Name == name {
			return checks[i:]
		}
	}
	panic("no check " + name)
}

// fifo evicts the oldest insertion, ignoring use, unless use is set (then it is a slow but correct LRU);
// sloppyRemove deletes from the map but leaves the key in the order. Its lock keeps the suite's concurrency check
// from crashing the test binary (a fatal concurrent map write), so each variant fails only where it is wrong.
type fifo struct {
	mu                sync.Mutex
	capacity          int
	order             []string
	m                 map[string]int
	use, sloppyRemove bool
}

func (f *fifo) touch(k string) {
	if f.use {
		f.order = append(slices.DeleteFunc(f.order, func(o string) bool { return o == k }), k)
	}
}
func (f *fifo) Get(k string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[k]
	if ok {
		f.touch(k)
	}
	return v, ok
}
func (f *fifo) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.m)
}
func (f *fifo) Put(k string, v int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[k]; ok {
		f.touch(k)
		f.m[k] = v
		return
	}
	f.order = append(f.order, k)
	f.m[k] = v
	for len(f.m) > f.capacity {
		delete(f.m, f.order[0])
		f.order = f.order[1:]
	}
}
func (f *fifo) Remove(k string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.m[k]
	delete(f.m, k)
	if !f.sloppyRemove {
		f.order = slices.DeleteFunc(f.order, func(o string) bool { return o == k })
	}
	return ok
}

type noRemove struct{ *sol.LRU[string, int] }

func (noRemove) Remove(string) bool { return true }

var sink any

type allocating struct{ *sol.LRU[string, int] }

func (a allocating) Get(k string) (int, bool) {
	sink = fmt.Sprint(k)
	return a.LRU.Get(k)
}

type closer struct{ *sol.LRU[string, int] }

func (closer) Close() error { return nil }

type leaky struct{ *sol.TTL[string, int] }

func (leaky) Close() error { return nil }

type expiring struct {
	v   int
	exp time.Time
}

// lazy expires entries correctly on Get but never drops one nobody asks for, unless purgeOnLen is set.
type lazy struct {
	lru        *sol.LRU[string, expiring]
	ttl        time.Duration
	purgeOnLen bool
	mu         sync.Mutex
	keys       map[string]bool
}

func (l *lazy) Put(k string, v int) {
	l.lru.Put(k, expiring{v, time.Now().Add(l.ttl)})
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = map[string]bool{}
	}
	l.keys[k] = true
}
func (l *lazy) Close() error { return nil }
func (l *lazy) Get(k string) (int, bool) {
	e, ok := l.lru.Get(k)
	if !ok || !time.Now().Before(e.exp) {
		l.lru.Remove(k)
		return 0, false
	}
	return e.v, true
}
func (l *lazy) Len() int {
	if l.purgeOnLen {
		l.mu.Lock()
		keys := maps.Clone(l.keys)
		l.mu.Unlock()
		for k := range keys {
			l.Get(k)
		}
	}
	return l.lru.Len()
}

// late treats an entry as live at exactly its expiry time.
type late struct {
	lru *sol.LRU[string, expiring]
	ttl time.Duration
}

func (l *late) Put(k string, v int) { l.lru.Put(k, expiring{v, time.Now().Add(l.ttl)}) }
func (l *late) Len() int            { return l.lru.Len() }
func (l *late) Close() error        { return nil }
func (l *late) Get(k string) (int, bool) {
	e, ok := l.lru.Get(k)
	if !ok || time.Now().After(e.exp) {
		return 0, false
	}
	return e.v, true
}

// noDedup has the right key but lets identical requests in flight all through; with strictGreedy it also takes
// only temperatures below 0.001 for deterministic.
type noDedup struct {
	up           caching.Chatter
	cache        caching.Cache[string, openai.ChatCompletionResponse]
	policy       caching.Policy
	strictGreedy bool
}

func (c *noDedup) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	det := sol.Deterministic(req)
	if c.strictGreedy && req.Seed == nil {
		det = req.Temperature > 0 && req.Temperature < 0.001
	}
	if c.policy != caching.CacheAll && !det {
		return c.up.CreateChatCompletion(ctx, req)
	}
	key, err := sol.Key(req)
	if err != nil {
		return openai.ChatCompletionResponse{}, err
	}
	if r, ok := c.cache.Get(key); ok {
		return r, nil
	}
	r, err := c.up.CreateChatCompletion(ctx, req)
	if err == nil {
		c.cache.Put(key, r)
	}
	return r, err
}

// promptKeyed caches in the given cache under the last message's text alone.
type promptKeyed struct {
	up    caching.Chatter
	cache caching.Cache[string, openai.ChatCompletionResponse]
}

func (c *promptKeyed) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	key := req.Messages[len(req.Messages)-1].Content
	if r, ok := c.cache.Get(key); ok {
		return r, nil
	}
	r, err := c.up.CreateChatCompletion(ctx, req)
	if err == nil {
		c.cache.Put(key, r)
	}
	return r, err
}

// plainFiles writes values as they are: no checksum, no temporary file.
type plainFiles string

func (d plainFiles) path(k string) string {
	sum := sha256.Sum256([]byte(k))
	return filepath.Join(string(d), hex.EncodeToString(sum[:]))
}

func (d plainFiles) Put(k string, v []byte) error { return os.WriteFile(d.path(k), v, 0o600) }
func (d plainFiles) Get(k string) ([]byte, bool, error) {
	b, err := os.ReadFile(d.path(k))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	return b, err == nil, err
}

// unsplit is the reference embedding cache without the split: all misses in one request.
type unsplit struct {
	up    caching.Embedder
	model openai.EmbeddingModel
	cache caching.Cache[string, []float32]
}

func (u *unsplit) Embed(ctx context.Context, inputs []string) ([][]float32, error) {
	out := make([][]float32, len(inputs))
	var misses []string
	for i, in := range inputs {
		if v, ok := u.cache.Get(string(u.model) + "\x00" + in); ok {
			out[i] = v
		} else if !slices.Contains(misses, in) {
			misses = append(misses, in)
		}
	}
	if len(misses) > 0 {
		resp, err := u.up.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: misses, Model: u.model})
		if err != nil {
			return nil, err
		}
		if len(resp.Data) != len(misses) {
			return nil, errors.New("short answer")
		}
		for _, d := range resp.Data {
			u.cache.Put(string(u.model)+"\x00"+misses[d.Index], d.Embedding)
		}
	}
	for i, in := range inputs {
		if out[i] == nil {
			out[i], _ = u.cache.Get(string(u.model) + "\x00" + in)
		}
	}
	return out, nil
}

// sendAll sends every input and trusts the answer's order.
type sendAll struct {
	up    caching.Embedder
	model openai.EmbeddingModel
}

func (s sendAll) Embed(ctx context.Context, inputs []string) ([][]float32, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	resp, err := s.up.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: inputs, Model: s.model})
	if err != nil {
		return nil, err
	}
	if len(resp.Data) != len(inputs) {
		return nil, errors.New("short answer")
	}
	out := make([][]float32, len(inputs))
	for i, d := range resp.Data {
		out[i] = d.Embedding
	}
	return out, nil
}

// atomicStore writes atomically, as the exercise asks, but treats leftovers of dead writers wrongly, as clean
// says: never removing them, or removing every old one, a live writer's included.
type atomicStore struct{ dir string }

func openAtomic(clean func(dir string)) cachingtest.OpenStoreFunc {
	return func(dir string) (caching.Store, error) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		clean(dir)
		return atomicStore{dir}, nil
	}
}

func (s atomicStore) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.dir, hex.EncodeToString(sum[:]))
}

func (s atomicStore) Get(key string) ([]byte, bool, error) {
	b, err := os.ReadFile(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	return b, err == nil, err
}

func (s atomicStore) Put(key string, value []byte) error {
	f, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(value); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), s.path(key))
}

// The killed-writer check, with real processes, rejects a store that leaves a dead writer's temporary file
// behind, and one that removes a live writer's.
func TestRejectsStoreLeftovers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		clean func(dir string)
		want  string
	}{
		{"never cleans", func(string) {}, "the folder holds 2 files"},
		{"cleans by age alone", func(dir string) {
			files, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
			for _, f := range files {
				if info, err := os.Stat(f); err == nil && time.Since(info.ModTime()) > 10*time.Second {
					os.Remove(f)
				}
			}
		}, "removed the temporary file of a live process"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := cachingtest.KilledWriterCheck(openAtomic(tc.clean))
			_, err := suite.FirstFailure(t, []suite.Check{check})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a failure saying %q", err, tc.want)
			}
			t.Logf("rejected: %v", err)
		})
	}
}

// listLRU is an LRU on container/list, as the hint suggests.
type listLRU struct {
	mu       sync.Mutex
	capacity int
	order    *list.List // of *listEntry, most recent at the front
	items    map[string]*list.Element
}

type listEntry struct {
	key   string
	value int
}

func newListLRU(n int) *listLRU {
	return &listLRU{capacity: n, order: list.New(), items: map[string]*list.Element{}}
}

func (c *listLRU) Get(k string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return 0, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*listEntry).value, true
}

func (c *listLRU) Put(k string, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.Value.(*listEntry).value = v
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&listEntry{k, v})
	if c.order.Len() > c.capacity {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*listEntry).key)
	}
}

func (c *listLRU) Remove(k string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if ok {
		c.order.Remove(e)
		delete(c.items, k)
	}
	return ok
}

func (c *listLRU) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// hashicorp is the LRU of github.com/hashicorp/golang-lru/v2, which locks inside.
type hashicorp struct{ c *lru.Cache[string, int] }

func newHashicorp(n int) hashicorp {
	c, err := lru.New[string, int](n)
	if err != nil {
		panic(err)
	}
	return hashicorp{c}
}

func (h hashicorp) Get(k string) (int, bool) { return h.c.Get(k) }
func (h hashicorp) Put(k string, v int)      { h.c.Add(k, v) }
func (h hashicorp) Remove(k string) bool     { return h.c.Remove(k) }
func (h hashicorp) Len() int                 { return h.c.Len() }
