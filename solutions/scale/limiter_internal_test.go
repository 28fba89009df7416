package scale

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redislocal"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/redis/go-redis/v9"
)

// These tests read what Redis decided (a ticket's charge and send times, on Redis's clock) rather than how long
// anything took, so a slow machine changes none of their figures.

func newTestLimiter(t *testing.T, url string, l Limits) *Limiter {
	t.Helper()
	rdb, err := Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	lim, err := NewLimiter(rdb, l, Options{Name: t.Name(), Warnings: t.Output()})
	if err != nil {
		t.Fatal(err)
	}
	return lim
}

func admit(t *testing.T, lim *Limiter, ctx context.Context, estimate int) *shared {
	t.Helper()
	tk, err := lim.Admit(ctx, estimate)
	if err != nil {
		t.Fatalf("Admit(%d): %v", estimate, err)
	}
	s, ok := tk.Ext.(*shared)
	if !ok {
		t.Fatalf("Admit(%d) did not go through Redis: %#v", estimate, tk.Ext)
	}
	return s
}

// soon is a context that cannot wait for any refill: an admission that would wait fails at once.
func soon(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

func TestNewLimiterBadLimits(t *testing.T) {
	for _, l := range []Limits{{RPM: 0, TPM: 10}, {RPM: 10, TPM: 0}, {RPM: 10, TPM: 10, MaxTokens: 11}, {RPM: 10, TPM: 10, MaxTokens: -1}} {
		if _, err := NewLimiter(redis.NewClient(&redis.Options{}), l, Options{}); err == nil {
			t.Errorf("NewLimiter(%+v) accepted", l)
		}
	}
	if _, err := NewLimiter(nil, Limits{RPM: 1, TPM: 1}, Options{}); err == nil {
		t.Error("NewLimiter without a client accepted")
	}
}

// TestLimiterSpacing: at 60 RPM, requests from two limiters (two processes' worth) go exactly a second apart,
// in the order they asked.
func TestLimiterSpacing(t *testing.T) {
	srv := redislocal.Test(t)
	a := newTestLimiter(t, srv.URL(), Limits{RPM: 600, TPM: 1_000_000})
	b := newTestLimiter(t, srv.URL(), Limits{RPM: 600, TPM: 1_000_000})
	var sent []int64
	for i := range 4 {
		lim := a
		if i%2 == 1 {
			lim = b
		}
		sent = append(sent, admit(t, lim, t.Context(), 10).sentAt)
	}
	for i := 1; i < len(sent); i++ {
		if gap := time.Duration(sent[i]-sent[i-1]) * time.Microsecond; gap < 100*time.Millisecond-time.Microsecond {
			t.Errorf("requests %d and %d went %v apart, want at least 100 ms (600 RPM)", i-1, i, gap)
		}
	}
}

// TestLimiterTooLarge: a request larger than MaxTokens fails at once.
func TestLimiterTooLarge(t *testing.T) {
	srv := redislocal.Test(t)
	lim := newTestLimiter(t, srv.URL(), Limits{RPM: 60, TPM: 1000, MaxTokens: 100})
	if _, err := lim.Admit(t.Context(), 101); err == nil || !strings.Contains(err.Error(), "can never pass") {
		t.Errorf("Admit(101) with MaxTokens 100: %v", err)
	}
}

// TestLimiterDeadlineAndCancel: a wait that cannot end before the context's deadline fails at once and takes
// nothing; a wait cancelled midway gives back what it took.
func TestLimiterDeadlineAndCancel(t *testing.T) {
	srv := redislocal.Test(t)
	lim := newTestLimiter(t, srv.URL(), Limits{RPM: 60, TPM: 1_000_000})
	first := admit(t, lim, t.Context(), 10)
	if _, err := lim.Admit(soon(t), 10); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "would wait") {
		t.Errorf("a second request at 60 RPM within 20 ms: %v, want it to fail at once", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := lim.Admit(ctx, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("a wait cancelled midway: %v", err)
	}
	next := admit(t, lim, t.Context(), 10)
	if gap := time.Duration(next.sentAt-first.sentAt) * time.Microsecond; gap > 1500*time.Millisecond {
		t.Errorf("the next request went %v after the first, want 1 s: the failed and the cancelled waits took "+
			"something", gap)
	}
}

// TestLimiterFollowsHeaders: a reply saying the provider's bucket is empty (another user of the key) brings
// the shared bucket down; a reply naming a lower limit lowers it.
func TestLimiterFollowsHeaders(t *testing.T) {
	srv := redislocal.Test(t)
	lim := newTestLimiter(t, srv.URL(), Limits{RPM: 60_000, TPM: 60_000})
	tk, err := lim.Admit(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lim.Admit(soon(t), 1000); err != nil {
		t.Fatalf("1,000 tokens of a full 60,000 TPM bucket: %v", err)
	}
	h := http.Header{}
	h.Set("x-ratelimit-limit-tokens", "60000")
	h.Set("x-ratelimit-remaining-tokens", "0")
	lim.Done(tk, concurrency.Reply{Status: 200, Header: h, Used: 100})
	if _, err := lim.Admit(soon(t), 1000); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("1,000 tokens right after the provider said none remain: %v, want a wait of about a second", err)
	}
	h.Set("x-ratelimit-limit-tokens", "6000")
	tk, _ = lim.Admit(t.Context(), 10)
	lim.Done(tk, concurrency.Reply{Status: 200, Header: h, Used: 10})
	if _, tpm := lim.Limits(); tpm != 6000 {
		t.Errorf("after the provider reported 6,000 TPM the limiter works with %v", tpm)
	}
}

// TestLimiterGivesBack: tokens estimated and not used, and those of a refused request, go back to the bucket.
func TestLimiterGivesBack(t *testing.T) {
	srv := redislocal.Test(t)
	lim := newTestLimiter(t, srv.URL(), Limits{RPM: 60_000, TPM: 6000, MaxTokens: 1000})
	tk, _ := lim.Admit(t.Context(), 1000)
	if _, err := lim.Admit(soon(t), 1000); err == nil {
		t.Fatal("a second 1,000 tokens from a bucket of 1,000 passed")
	}
	lim.Done(tk, concurrency.Reply{Status: 200, Used: 100})
	tk, err := lim.Admit(soon(t), 800)
	if err != nil {
		t.Fatalf("800 tokens after 900 of 1,000 were given back: %v", err)
	}
	lim.Done(tk, concurrency.Reply{Status: 429})
	if err := lim.Wait(soon(t), 800); err != nil {
		t.Errorf("800 tokens after a refused request gave its 800 back: %v", err)
	}
	lim.Settle(800, 0)
	if err := lim.Wait(soon(t), 800); err != nil {
		t.Errorf("800 tokens after Settle gave 800 back: %v", err)
	}
}

// TestLeave: a limiter that leaves no longer counts among the processes sharing the limit.
func TestLeave(t *testing.T) {
	srv := redislocal.Test(t)
	a := newTestLimiter(t, srv.URL(), Limits{RPM: 60_000, TPM: 60_000})
	b, _ := NewLimiter(a.rdb, a.limits, a.opt)
	admit(t, a, t.Context(), 1)
	admit(t, b, t.Context(), 1)
	if n := b.Processes(); n != 2 {
		t.Errorf("two limiters: %d processes", n)
	}
	if err := a.Leave(t.Context()); err != nil {
		t.Fatal(err)
	}
	admit(t, b, t.Context(), 1)
	if n := b.Processes(); n != 1 {
		t.Errorf("after one left: %d processes", n)
	}
}
