package check

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/course"
)

// Wrong solutions whose mistake only shows as a data race, a crash of the test binary or a hang, checked the
// way a learner checks them (go run ./cmd/workbook check NAME): through a Runner on the real exercises/, with
// the learner's file replaced by the wrong one (go test -overlay), so nothing in the repository changes.

// wrongFile writes src as a replacement for the repository file rel and returns the -overlay argument.
func wrongFile(t *testing.T, root, rel, src string) string {
	t.Helper()
	dir := t.TempDir()
	repl := filepath.Join(dir, filepath.Base(rel))
	if err := os.WriteFile(repl, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, rel): repl}})
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, js, 0o644); err != nil {
		t.Fatal(err)
	}
	return "-overlay=" + overlay
}

// withoutLines is the reference solution's file rel with every line containing one of drop removed.
func withoutLines(t *testing.T, root, rel string, drop ...string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	removed := 0
	for _, line := range strings.Split(string(src), "\n") {
		if containsAny(line, drop) {
			removed++
			continue
		}
		kept = append(kept, line)
	}
	if removed == 0 {
		t.Fatalf("%s has no line with %q: update this test", rel, drop)
	}
	return strings.Join(kept, "\n")
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func checkWrong(t *testing.T, root, name, overlay string, testArgs ...string) Result {
	t.Helper()
	e, ok := course.Lookup(name)
	if !ok {
		t.Fatalf("no exercise %q", name)
	}
	rs, err := Runner{Root: root, Args: []string{overlay}, TestArgs: testArgs,
		Env: []string{"GOFLAGS=-count=1"}}.Run(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return rs[0]
}

func TestWrongSolutionsFailTheSameWayEveryTime(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test -race on exercises/")
	}
	if ok, note := Race(context.Background()); !ok {
		t.Skip(note)
	}
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("an LRU without a lock", func(t *testing.T) {
		src := withoutLines(t, root, "solutions/caching/lru.go", "c.mu.Lock()", "c.mu.Unlock()")
		overlay := wrongFile(t, root, "exercises/caching/lru.go", src)
		for run := range 3 {
			r := checkWrong(t, root, "lru", overlay)
			if r.Status != Failing || !strings.Contains(r.Output, "safe for concurrent use") ||
				!strings.Contains(r.Output, "exercises/caching/lru.go") {
				t.Fatalf("run %d: status %v, output:\n%s\nwant a failure of the concurrent check, in lru.go", run,
					r.Status, r.Output)
			}
			if run == 0 {
				t.Logf("as a learner reads it:\n%s", r.Output)
			}
		}
	})

	t.Run("a tracker without a mutex", func(t *testing.T) {
		src := withoutLines(t, root, "solutions/cost/tracker.go", "t.mu.Lock()", "t.mu.Unlock()")
		r := checkWrong(t, root, "tracker", wrongFile(t, root, "exercises/cost/tracker.go", src))
		if r.Status != Failing || !strings.Contains(r.Output, "data race") ||
			!strings.Contains(r.Output, "exercises/cost/tracker.go") {
			t.Fatalf("status %v, output:\n%s\nwant a data race in tracker.go", r.Status, r.Output)
		}
		t.Logf("as a learner reads it:\n%s", r.Output)
	})

	t.Run("a client that holds its lock across the upstream call", func(t *testing.T) {
		const stuck = 3 * time.Second
		start := time.Now()
		r := checkWrong(t, root, "client", wrongFile(t, root, "exercises/caching/client.go", lockedClient),
			"-workbook.stuck="+stuck.String())
		took := time.Since(start)
		for _, want := range []string{`deadlock: exercise "client"`, "sync.Mutex", "exercises/caching/client.go",
			"hint: "} {
			if r.Status != Failing || !strings.Contains(r.Output, want) {
				t.Fatalf("status %v, output:\n%s\nwant a deadlock report with %q", r.Status, r.Output, want)
			}
		}
		if took > stuck+time.Minute {
			t.Errorf("the hang was reported after %v (compilation included); the watchdog fires at %v", took, stuck)
		}
		t.Logf("reported after %v (compilation included), as a learner reads it:\n%s", took.Round(time.Second), r.Output)
	})
}

// lockedClient is a caching client that is right in every way but one: it holds a single mutex across the
// upstream call, so identical requests in flight wait for each other instead of sharing one call. Inside the
// suite's synctest bubble the waiters block on the mutex, which is not a durable block, so the bubble's clock
// never moves and the first call never ends: a hang, not a failure.
const lockedClient = `package caching

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	lessons "github.com/llmperf/workbook/lessons/caching"
	openai "github.com/sashabaranov/go-openai"
)

type Chatter = lessons.Chatter
type Cache[K comparable, V any] = lessons.Cache[K, V]
type Policy = lessons.Policy

const (
	CacheDeterministic = lessons.CacheDeterministic
	CacheAll           = lessons.CacheAll
)

func Key(req openai.ChatCompletionRequest) (string, error) {
	req.Stream, req.StreamOptions, req.User, req.Metadata, req.Store = false, nil, "", nil, false
	js, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:]), nil
}

func Deterministic(req openai.ChatCompletionRequest) bool {
	return req.Seed != nil || req.Temperature > 0 && req.Temperature <= 0.001
}

type Client struct {
	mu       sync.Mutex
	upstream Chatter
	cache    Cache[string, openai.ChatCompletionResponse]
	policy   Policy
}

func NewClient(upstream Chatter, cache Cache[string, openai.ChatCompletionResponse], policy Policy) *Client {
	return &Client{upstream: upstream, cache: cache, policy: policy}
}

func (c *Client) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	if c.policy != CacheAll && !Deterministic(req) {
		return c.upstream.CreateChatCompletion(ctx, req)
	}
	key, err := Key(req)
	if err != nil {
		return openai.ChatCompletionResponse{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.cache.Get(key); ok {
		return r, nil
	}
	r, err := c.upstream.CreateChatCompletion(ctx, req)
	if err == nil {
		c.cache.Put(key, r)
	}
	return r, err
}
`
