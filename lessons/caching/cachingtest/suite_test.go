package cachingtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		expectFailure(t, cachingtest.LRUChecks(func(int) caching.Cache[string, int] {
			return &cachingtest.MapCache[string, int]{}
		}), "evicts the least recently used")
	})
	t.Run("first in, first out", func(t *testing.T) {
		expectFailure(t, cachingtest.LRUChecks(func(n int) caching.Cache[string, int] {
			return &fifo{capacity: n, m: map[string]int{}}
		}), "evicts the least recently used")
	})
	t.Run("allocates on a hit", func(t *testing.T) {
		expectFailure(t, cachingtest.LRUChecks(func(n int) caching.Cache[string, int] {
			return allocating{sol.NewLRU[string, int](n)}
		}), "a hit allocates nothing")
	})
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
	t.Run("leaks its sweeper", func(t *testing.T) {
		expectFailure(t, cachingtest.TTLChecks(func(n int, ttl time.Duration) caching.ExpiringCache[string, int] {
			c := sol.NewTTL[string, int](n, ttl)
			return leaky{c}
		}), "Close stops every goroutine")
	})
}

func TestRejectsBrokenClient(t *testing.T) {
	t.Run("keyed by the prompt alone", func(t *testing.T) {
		expectFailure(t, cachingtest.ClientChecks(func(up caching.Chatter, _ caching.Cache[string, openai.ChatCompletionResponse], _ caching.Policy) caching.Chatter {
			return &sol.NaiveClient{Upstream: up}
		}), "the key covers everything that changes the answer")
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
	t.Run("trusts the answer's order", func(t *testing.T) {
		expectFailure(t, cachingtest.EmbeddingChecks(func(up caching.Embedder, m openai.EmbeddingModel, _ caching.Cache[string, []float32]) caching.BatchEmbedder {
			return sendAll{up, m}
		})[3:], "answers matched by index")
	})
}

// fifo evicts the oldest insertion, ignoring use.
type fifo struct {
	capacity int
	order    []string
	m        map[string]int
}

func (f *fifo) Get(k string) (int, bool) { v, ok := f.m[k]; return v, ok }
func (f *fifo) Len() int                 { return len(f.m) }
func (f *fifo) Put(k string, v int) {
	if _, ok := f.m[k]; !ok {
		f.order = append(f.order, k)
		if len(f.order) > f.capacity {
			delete(f.m, f.order[0])
			f.order = f.order[1:]
		}
	}
	f.m[k] = v
}

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

// noDedup has the right key but lets identical requests in flight all through.
type noDedup struct {
	up     caching.Chatter
	cache  caching.Cache[string, openai.ChatCompletionResponse]
	policy caching.Policy
}

func (c *noDedup) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	if c.policy != caching.CacheAll && !sol.Deterministic(req) {
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
