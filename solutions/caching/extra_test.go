package caching

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/lessons/caching/cachingtest"
	openai "github.com/sashabaranov/go-openai"
)

// Tests of what the reference offers beyond the week's suite.

func request(prompt string) openai.ChatCompletionRequest {
	seed := 3
	return openai.ChatCompletionRequest{Model: "gpt-4o-mini", Seed: &seed,
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: prompt}}}
}

func TestClientSources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := &cachingtest.FakeChat{Latency: time.Second}
		c := NewClient(up, nil, CacheDeterministic)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() { c.CreateChatCompletion(context.Background(), request("a")) })
		}
		wg.Wait()
		c.CreateChatCompletion(context.Background(), request("a"))
		sampled := request("b")
		sampled.Seed, sampled.Temperature = nil, 0.7
		c.CreateChatCompletion(context.Background(), sampled)
		up.FailNext(1)
		c.CreateChatCompletion(context.Background(), request("c"))

		want := ClientStats{Hits: 1, Misses: 1, Shared: 9, Bypassed: 1, Errors: 1}
		if got := c.Stats(); got != want {
			t.Errorf("Stats() = %+v, want %+v", got, want)
		}
		if n := up.Calls(); n != 3 {
			t.Errorf("upstream calls = %d, want 3 (a once, b bypassed, c failed)", n)
		}
	})
}

func TestKeyIgnoresDelivery(t *testing.T) {
	base := request("a")
	k0, _ := Key(base)
	for name, change := range map[string]func(*openai.ChatCompletionRequest){
		"stream options": func(r *openai.ChatCompletionRequest) { r.StreamOptions = &openai.StreamOptions{IncludeUsage: true} },
		"user":           func(r *openai.ChatCompletionRequest) { r.User = "u1" },
		"metadata":       func(r *openai.ChatCompletionRequest) { r.Metadata = map[string]string{"run": "7"} },
	} {
		r := request("a")
		change(&r)
		if k, err := Key(r); err != nil || k != k0 {
			t.Errorf("changing %s changed the key (err %v)", name, err)
		}
	}
	bad := request("a")
	bad.Messages[0].MultiContent = []openai.ChatMessagePart{{Type: openai.ChatMessagePartTypeText, Text: "x"}}
	if _, err := Key(bad); err == nil {
		t.Error("a message with both Content and MultiContent was keyed; want an error")
	}
}

func TestDiskCacheSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	up := &cachingtest.FakeChat{}
	first, _ := NewClient(up, NewDiskCache[openai.ChatCompletionResponse](s), CacheDeterministic).
		CreateChatCompletion(context.Background(), request("a"))

	s2, _ := OpenStore(dir)
	second, src, err := NewClient(up, NewDiskCache[openai.ChatCompletionResponse](s2), CacheDeterministic).
		Complete(context.Background(), request("a"))
	if err != nil || src != Hit || second.Choices[0].Message.Content != first.Choices[0].Message.Content {
		t.Errorf("after a restart: source %v, err %v, answer %q; want a hit with %q", src, err,
			second.Choices[0].Message.Content, first.Choices[0].Message.Content)
	}
}

// Clean removes old leftovers of dead writers; it keeps a fresh temporary file (its writer may not have locked
// it yet) and an old one whose writer still holds its lock.
func TestStoreClean(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenStore(dir)
	s.Put("k", []byte("v"))
	old := time.Now().Add(-2 * StaleAfter)
	leftover, fresh := filepath.Join(dir, tempPrefix+"crashed"), filepath.Join(dir, tempPrefix+"new")
	for _, p := range []string{leftover, fresh} {
		if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Chtimes(leftover, old, old)
	writing, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		t.Fatal(err)
	}
	defer writing.Close()
	if err := lock(writing); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(writing.Name(), old, old)
	if n, err := s.Clean(); n != 1 || err != nil {
		t.Errorf("Clean() = %d, %v; want 1, nil", n, err)
	}
	if _, err := os.Stat(leftover); err == nil {
		t.Error("the old leftover is still there")
	}
	for _, p := range []string{fresh, writing.Name()} {
		if _, err := os.Stat(p); err != nil && (p == fresh || haveFlock) {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
	if v, ok, _ := s.Get("k"); !ok || string(v) != "v" {
		t.Error("Clean removed an entry")
	}
}

func TestBadArguments(t *testing.T) {
	for name, f := range map[string]func(){
		"LRU of 0":     func() { NewLRU[string, int](0) },
		"Library of 0": func() { NewLibrary[string, int](0) },
		"TTL of 0s":    func() { NewTTL[string, int](1, 0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// deadlineSeen is an upstream that records whether each call's context had a deadline, and how far off it was.
type deadlineSeen struct {
	mu   sync.Mutex
	left []time.Duration // -1: no deadline
}

func (d *deadlineSeen) CreateChatCompletion(ctx context.Context, _ openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	left := time.Duration(-1)
	if dl, ok := ctx.Deadline(); ok {
		left = time.Until(dl)
	}
	d.left = append(d.left, left)
	return openai.ChatCompletionResponse{ID: "x"}, nil
}

// TestCallTimeout: the shared call ends after CallTimeout, DefaultCallTimeout when it is zero, and has no
// deadline of the client's own when it is negative.
func TestCallTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, tc := range []struct {
			timeout, want time.Duration
		}{{0, DefaultCallTimeout}, {time.Second, time.Second}, {-1, -1}} {
			up := &deadlineSeen{}
			c := NewClient(up, NewLRU[string, openai.ChatCompletionResponse](4), CacheDeterministic)
			c.CallTimeout = tc.timeout
			if _, _, err := c.Complete(context.Background(), request("a")); err != nil {
				t.Fatal(err)
			}
			if len(up.left) != 1 || up.left[0] != tc.want {
				t.Errorf("CallTimeout %v: the upstream's context had %v left, want %v (-1: no deadline)",
					tc.timeout, up.left, tc.want)
			}
		}
	})
}
