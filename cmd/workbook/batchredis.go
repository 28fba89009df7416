package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/scale"
	"github.com/redis/go-redis/v9"
	openai "github.com/sashabaranov/go-openai"
)

// batchShared is what -redis adds: one rate limit and one response cache for every batch process that uses the
// same Redis and provider (solutions/scale). Repeated requests (the same body to the same endpoint) are answered
// once, across processes, when their answer cannot vary: embeddings, and chat requests with a seed or a
// temperature of at most 0.001, as week 2's cache decides.
type batchShared struct {
	rdb      *redis.Client
	lim      *scale.Limiter
	cache    *scale.Cache
	provider string // part of every cache key: another provider's answers are not this one's
}

// sharedCacheTTL is how long batch keeps an answer in the shared cache.
const sharedCacheTTL = 24 * time.Hour

func (f *batchFlags) openShared(ctx context.Context, up *batchUpstream, stderr io.Writer) (*batchShared, error) {
	rdb, err := scale.Connect(f.redis)
	if err != nil {
		return nil, usageError{fmt.Errorf("-redis: %w", err)}
	}
	if u, err := url.Parse(f.redis); err == nil && u.User != nil { // keep the password out of every message
		pw, _ := u.User.Password()
		up.secrets = append(up.secrets, pw)
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("-redis: Redis does not answer (%v): start it (redis-server), or leave -redis out", err)
	}
	redis.SetLogger(quietRedis{}) // go-redis logs every failed dial; the one warning below says it all
	warn := &redactingWriter{w: stderr, up: up}
	lim, err := scale.NewLimiter(rdb, scale.Limits{RPM: f.rpm, TPM: f.tpm}, scale.Options{Name: "batch:" + up.limitName(), Warnings: warn})
	if err != nil {
		rdb.Close()
		return nil, usageError{err}
	}
	cache := scale.NewCache(rdb, scale.CacheOptions{Prefix: scale.DefaultPrefix + ":batch", TTL: sharedCacheTTL, Warnings: warn})
	return &batchShared{rdb: rdb, lim: lim, cache: cache, provider: up.provider()}, nil
}

func (s *batchShared) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.lim.Leave(ctx)
	s.cache.Close()
	s.rdb.Close()
}

// limitName names the provider's limit without its credentials: the host and path of its base URL, and a
// fingerprint of the API key (limits are per key: processes with different keys must not share a bucket). The
// fingerprint is the start of a SHA-256 of the key, which cannot be turned back into the key.
func (u *batchUpstream) limitName() string {
	sum := sha256.Sum256([]byte("llmperf limit key\x00" + u.key))
	return u.provider() + " key#" + hex.EncodeToString(sum[:6])
}

// provider is the host and path of the base URL ("mock" without one): answers are shared per provider.
func (u *batchUpstream) provider() string {
	p, err := url.Parse(u.base)
	if err != nil || p.Host == "" {
		return "mock"
	}
	return p.Host + p.Path
}

// do sends r with send, unless an identical request's answer is in the shared cache or on its way from another
// process: then it fills last with that answer and reports hit.
func (s *batchShared) do(ctx context.Context, r *batchRequest, last *reply, send func(context.Context) error) (hit bool, err error) {
	if !cacheable(r) {
		return false, send(ctx)
	}
	sum := sha256.Sum256(append([]byte(s.provider+"\x00"+r.url+"\x00"), r.body...))
	v, src, err := s.cache.Do(ctx, hex.EncodeToString(sum[:]), func(ctx context.Context) ([]byte, error) {
		if err := send(ctx); err != nil {
			return nil, err
		}
		return json.Marshal(cachedReply{Status: last.status, RequestID: last.requestID, Body: last.body})
	})
	if src != caching.Hit && src != caching.Shared || err != nil {
		return false, err
	}
	var c cachedReply
	if err := json.Unmarshal(v, &c); err != nil {
		return false, errors.New("an answer in the shared cache does not decode")
	}
	*last = reply{status: c.Status, requestID: c.RequestID, body: c.Body}
	return true, nil
}

type cachedReply struct {
	Status    int    `json:"status"`
	RequestID string `json:"request_id"`
	Body      []byte `json:"body"`
}

// cacheable: embeddings always; a chat request whose answer is repeatable (a seed, or a temperature of at most
// caching's greedy bound), as caching.Deterministic decides for go-openai requests.
func cacheable(r *batchRequest) bool {
	if r.url == "/v1/embeddings" {
		return true
	}
	var b struct {
		Temperature *float32 `json:"temperature"`
		Seed        *int     `json:"seed"`
	}
	if json.Unmarshal(r.body, &b) != nil {
		return false
	}
	t := float32(1)
	if b.Temperature != nil {
		t = *b.Temperature
	}
	// A temperature of exactly 0 is greedy here: the JSON says so, where go-openai would have left it out.
	return b.Seed != nil || t == 0 || caching.Deterministic(openai.ChatCompletionRequest{Temperature: t})
}

// redactingWriter writes through the provider's redaction (scale's warnings quote Redis's errors).
type redactingWriter struct {
	w  io.Writer
	up *batchUpstream
}

func (r *redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, r.up.redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// limiterLimits is what the progress line reads of a limiter.
type limiterLimits interface{ Limits() (rpm, tpm float64) }

var _ limiterLimits = (*concurrency.Limiter)(nil)
