package caching

import (
	"cmp"
	"context"
	"sync/atomic"
	"time"

	lessons "github.com/llmperf/workbook/lessons/caching"
	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/singleflight"
)

// Chatter is the method a Client wraps and provides: *openai.Client and llm.Client have it.
type Chatter = lessons.Chatter

// Cache is a cache safe for concurrent use: LRU, TTL, Library and DiskCache are ones.
type Cache[K comparable, V any] = lessons.Cache[K, V]

// Policy says what a Client does with requests that may get a different answer each time.
type Policy = lessons.Policy

// The policies: CacheDeterministic (the zero value) sends sampled requests upstream every time; CacheAll
// caches them too, serving the first answer to everyone who asks the same thing.
const (
	CacheDeterministic = lessons.CacheDeterministic
	CacheAll           = lessons.CacheAll
)

// DefaultCapacity is the size of the LRU a Client makes when given no cache.
const DefaultCapacity = 1024

// DefaultCallTimeout bounds an upstream call shared by several callers (see Client).
const DefaultCallTimeout = 2 * time.Minute

// Source says where an answer came from.
type Source int

const (
	Miss   Source = iota // this caller asked the upstream
	Hit                  // from the cache
	Shared               // from an identical call in flight, started by another caller
	Bypass               // the policy sent it upstream without caching
)

func (s Source) String() string {
	return [...]string{"miss", "hit", "shared", "bypass"}[s]
}

// Client is a chat client that answers repeated requests from a cache. Requests are keyed by Key (a hash of
// everything that changes the answer); which requests are cached is the Policy's choice (see Deterministic).
// Identical requests in flight at the same time make one upstream call (golang.org/x/sync/singleflight):
// the first caller's call is shared by the others. Failed calls are not cached. Safe for concurrent use.
//
// The shared call does not run on any one caller's context — a caller that gives up returns at once with its
// context's error, without failing the others — but keeps that context's values and ends after CallTimeout.
// To let a caller give up at once, the call runs on a goroutine of its own (singleflight's DoChan); a caller
// whose context can never end (its Done is nil, as context.Background's and context.WithoutCancel's are) makes
// the call on its own goroutine instead, which saves starting one (and growing its stack) per call.
//
// Answers served from the cache share memory with each other: treat them as read-only.
type Client struct {
	// CallTimeout bounds a shared upstream call; zero means DefaultCallTimeout, and a negative value none of
	// the client's own (for an upstream that bounds every call itself).
	CallTimeout time.Duration

	upstream Chatter
	cache    Cache[string, openai.ChatCompletionResponse]
	policy   Policy
	group    singleflight.Group
	counts   [4]atomic.Int64 // by Source
	errors   atomic.Int64
}

// NewClient wraps upstream with cache (nil: a new LRU of DefaultCapacity entries) under policy.
func NewClient(upstream Chatter, cache Cache[string, openai.ChatCompletionResponse], policy Policy) *Client {
	if cache == nil {
		cache = NewLRU[string, openai.ChatCompletionResponse](DefaultCapacity)
	}
	return &Client{upstream: upstream, cache: cache, policy: policy}
}

// CreateChatCompletion answers req from the cache or the upstream.
func (c *Client) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	resp, _, err := c.Complete(ctx, req)
	return resp, err
}

// Complete is CreateChatCompletion that also says where the answer came from.
func (c *Client) Complete(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, Source, error) {
	if c.policy != CacheAll && !Deterministic(req) {
		resp, err := c.upstream.CreateChatCompletion(ctx, req)
		return resp, c.count(Bypass, err), err
	}
	key, err := Key(req)
	if err != nil {
		return openai.ChatCompletionResponse{}, c.count(Bypass, err), err
	}
	if resp, ok := c.cache.Get(key); ok {
		return resp, c.count(Hit, nil), nil
	}
	led, late := false, false
	call := func() (any, error) {
		led = true
		if resp, ok := c.cache.Get(key); ok { // stored by a call that ended after our Get
			late = true
			return resp, nil
		}
		shared := ctx
		if ctx.Done() != nil {
			shared = context.WithoutCancel(ctx)
		}
		if timeout := cmp.Or(c.CallTimeout, DefaultCallTimeout); timeout > 0 {
			var cancel context.CancelFunc
			shared, cancel = context.WithTimeout(shared, timeout)
			defer cancel()
		}
		resp, err := c.upstream.CreateChatCompletion(shared, req)
		if err == nil {
			c.cache.Put(key, resp)
		}
		return resp, err
	}
	var r singleflight.Result
	if ctx.Done() == nil {
		// A context that can never end: this caller cannot give up, so it may make (or wait for) the call on its
		// own goroutine, without the goroutine DoChan starts for every call.
		r.Val, r.Err, _ = c.group.Do(key, call)
	} else {
		select {
		case <-ctx.Done():
			return openai.ChatCompletionResponse{}, c.count(Shared, ctx.Err()), ctx.Err()
		case r = <-c.group.DoChan(key, call):
		}
	}
	src := Shared
	switch {
	case late:
		src = Hit
	case led:
		src = Miss
	}
	resp, _ := r.Val.(openai.ChatCompletionResponse)
	return resp, c.count(src, r.Err), r.Err
}

func (c *Client) count(s Source, err error) Source {
	if err != nil {
		c.errors.Add(1)
	} else {
		c.counts[s].Add(1)
	}
	return s
}

// ClientStats counts a Client's answers by where they came from; failed calls count as Errors only.
type ClientStats struct {
	Hits, Misses, Shared, Bypassed, Errors int64
}

// Stats returns the counts so far.
func (c *Client) Stats() ClientStats {
	return ClientStats{
		Hits: c.counts[Hit].Load(), Misses: c.counts[Miss].Load(), Shared: c.counts[Shared].Load(),
		Bypassed: c.counts[Bypass].Load(), Errors: c.errors.Load(),
	}
}
