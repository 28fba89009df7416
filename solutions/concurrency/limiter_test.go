package concurrency

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// ratelimitHeader is what a provider says after admitting a request.
func ratelimitHeader(limReq, remReq, limTok, remTok string) http.Header {
	h := http.Header{}
	h.Set("x-ratelimit-limit-requests", limReq)
	h.Set("x-ratelimit-remaining-requests", remReq)
	h.Set("x-ratelimit-limit-tokens", limTok)
	h.Set("x-ratelimit-remaining-tokens", remTok)
	return h
}

// A large request waiting for tokens is not overtaken by small ones that arrive after it.
func TestLimiterFirstComeFirstServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim, _ := NewLimiter(6000, 6000, 1000) // 100 tokens a second
		lim.Wait(context.Background(), 1000)   // empty
		var mu sync.Mutex
		var order []int
		var wg sync.WaitGroup
		for i, est := range []int{900, 50, 50, 50} {
			wg.Go(func() {
				lim.Wait(context.Background(), est)
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
			})
			synctest.Wait() // queued in this order
		}
		wg.Wait()
		if order[0] != 0 {
			t.Errorf("let through in the order %v; the 900-token request asked first", order)
		}
		if took := time.Since(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); took != 10500*time.Millisecond {
			t.Errorf("1,050 tokens after an empty bucket at 100/s took %v, want 10.5s", took)
		}
	})
}

// A told limiter follows the provider's remaining count: a key another process has used holds it back.
func TestLimiterFollowsHeaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim, _ := NewLimiter(600, 60_000, 60_000) // 1,000 tokens a second; it believes the bucket is full
		tk, err := lim.Admit(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		// The provider says only 1,000 were left after this request: someone else used 58,000.
		lim.Done(tk, Reply{Status: 200, Used: 1000, Header: ratelimitHeader("600", "599", "60000", "1000")})
		start := time.Now()
		lim.Wait(context.Background(), 3000)
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("3,000 tokens with 1,000 left at 1,000/s passed after %v, want 2s", took)
		}
		if rpm, tpm := lim.Limits(); rpm != 600 || tpm != 60_000 {
			t.Errorf("Limits() = %v, %v", rpm, tpm)
		}
		// A provider that reports a lower limit than the one told lowers the rate.
		tk, _ = lim.Admit(context.Background(), 10)
		lim.Done(tk, Reply{Status: 200, Used: 10, Header: ratelimitHeader("600", "598", "6000", "0")})
		if _, tpm := lim.Limits(); tpm != 6000 {
			t.Errorf("after the provider reported 6,000 TPM, Limits() says %v", tpm)
		}
	})
}

// An adaptive limiter sends one request, learns the limits from its reply, then runs as they allow.
func TestAdaptiveLimiterLearns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := NewAdaptiveLimiter()
		first, err := lim.Admit(context.Background(), 500)
		if err != nil {
			t.Fatal(err)
		}
		second := make(chan time.Time, 1)
		go func() {
			lim.Admit(context.Background(), 500)
			second <- time.Now()
		}()
		time.Sleep(300 * time.Millisecond) // the first reply takes 300ms; the second request waits for it
		select {
		case <-second:
			t.Fatal("a second request went before the first reply said anything about the limits")
		default:
		}
		lim.Done(first, Reply{Status: 200, Used: 400, Header: ratelimitHeader("100", "99", "6000", "5500")})
		if at := <-second; at.Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) != 300*time.Millisecond {
			t.Errorf("second request at %v, want right after the first reply", at)
		}
		if rpm, tpm := lim.Limits(); rpm != 100 || tpm != 6000 {
			t.Errorf("learned %v RPM, %v TPM; the headers said 100 and 6,000", rpm, tpm)
		}
		if err := lim.Wait(context.Background(), 6001); err == nil || !strings.Contains(err.Error(), "can never pass") {
			t.Errorf("a request above the learned limit: %v", err)
		}
	})
}

// Without headers, a 429's message teaches the limit; with nothing at all, the AIMD controller takes over.
func TestAdaptiveLimiterFrom429s(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := NewAdaptiveLimiter()
		tk, _ := lim.Admit(context.Background(), 100)
		lim.Done(tk, Reply{Status: 200, Used: 90}) // no headers: AIMD, no limit yet
		if rpm, tpm := lim.Limits(); rpm != 0 || tpm != 0 {
			t.Errorf("limits %v, %v before any 429", rpm, tpm)
		}
		tk, _ = lim.Admit(context.Background(), 700)
		lim.Done(tk, Reply{Status: 429, Type: "tokens", Message: "Rate limit reached for gpt-4o on tokens per min " +
			"(TPM): Limit 30000, Used 29800, Requested 700. Please try again in 1s."})
		if _, tpm := lim.Limits(); tpm != 30000 {
			t.Errorf("learned %v TPM from the message, want 30,000", tpm)
		}
		start := time.Now()
		lim.Wait(context.Background(), 700) // 200 left, 500 per second: 1s
		if took := time.Since(start); took < 900*time.Millisecond || took > 1100*time.Millisecond {
			t.Errorf("700 tokens with 200 left at 500/s took %v, want about 1s", took)
		}

		aimd := NewAdaptiveLimiter()
		tk, _ = aimd.Admit(context.Background(), 100)
		aimd.Done(tk, Reply{Status: 200, Used: 90})
		h := http.Header{}
		h.Set("retry-after-ms", "2000")
		tk, _ = aimd.Admit(context.Background(), 400)
		aimd.Done(tk, Reply{Status: 429, Header: h, Message: "Too many requests."})
		if _, tpm := aimd.Limits(); tpm != 400*60/2 {
			t.Errorf("AIMD rate %v per minute after a 429 asking 2s for 400 tokens; want 12,000", tpm)
		}
		// Two more 429s from requests sent before any cut counted once; one sent after cuts again.
		tk1, _ := aimd.Admit(context.Background(), 10)
		time.Sleep(time.Second)
		aimd.Done(tk1, Reply{Status: 429, Header: h})
		_, afterCut := aimd.Limits()
		tk2, _ := aimd.Admit(context.Background(), 10)
		aimd.Done(tk2, Reply{Status: 429, Header: h})
		if _, tpm := aimd.Limits(); tpm >= afterCut {
			t.Errorf("a 429 to a request sent after the last cut left the rate at %v (was %v)", tpm, afterCut)
		}
	})
}

// A cancelled or timed-out Wait takes nothing: the queue behind it moves up.
func TestLimiterLeavesQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim, _ := NewLimiter(6000, 6000, 1000)
		lim.Wait(context.Background(), 1000)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- lim.Wait(ctx, 1000) }() // first in line, needs 10s
		synctest.Wait()
		done := make(chan time.Duration, 1)
		start := time.Now()
		go func() { lim.Wait(context.Background(), 100); done <- time.Since(start) }()
		time.Sleep(time.Second)
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Wait: %v", err)
		}
		if took := <-done; took != time.Second {
			t.Errorf("the Wait behind a cancelled one passed after %v, want 1s (when the cancelled one left)", took)
		}
		dl, cancel2 := context.WithTimeout(context.Background(), time.Second)
		defer cancel2()
		if err := lim.Wait(dl, 1000); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a wait of 10s with 1s left: %v, want an error wrapping context.DeadlineExceeded at once", err)
		}
	})
}

// Sender never drops a request a rate limit refused, bounds other failures, and fails at once on "too large".
func TestSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := mock.New(mock.Config{TPM: 1000, AnswerTokens: 50})
		cfg := srv.ClientConfig()
		cfg.HTTPClient = &http.Client{Transport: &Transport{Base: srv.Transport()}}
		client := openai.NewClientWithConfig(cfg)
		req := openai.ChatCompletionRequest{Model: "gpt-4o-mini", MaxTokens: 200,
			Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hello"}}}
		var mu sync.Mutex
		limited := 0
		s := &Sender{Backoff: Backoff{Base: time.Millisecond, Cap: time.Millisecond, MaxAttempts: 2},
			OnAttempt: func(a Attempt) {
				mu.Lock()
				defer mu.Unlock()
				if a.Status == 429 {
					limited++
				}
			}}
		// No limiter: 20 requests of ~210 tokens at 1,000 TPM draw 429s, and every one still succeeds.
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for i := range errs {
			wg.Go(func() {
				errs[i] = s.Send(context.Background(), Estimate(req, 0), func(ctx context.Context) (int, error) {
					resp, err := client.CreateChatCompletion(ctx, req)
					return resp.Usage.TotalTokens, err
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("request %d lost: %v", i, err)
			}
		}
		if limited < 10 {
			t.Errorf("only %d 429s; the test needs many more 429s than MaxAttempts allows", limited)
		}
		big := req
		big.MaxTokens = 5000
		err := s.Send(context.Background(), Estimate(big, 0), func(ctx context.Context) (int, error) {
			_, err := client.CreateChatCompletion(ctx, big)
			return 0, err
		})
		if err == nil || !strings.Contains(err.Error(), "can never pass") {
			t.Errorf("a request above the whole limit: %v, want a final error at once", err)
		}
		// Other failures: MaxAttempts.
		faulty := mock.New(mock.Config{FaultRate: 1, Faults: []mock.Fault{mock.Fault503}})
		n := 0
		err = s.Send(context.Background(), 10, func(ctx context.Context) (int, error) {
			n++
			_, err := faulty.Client().CreateChatCompletion(ctx, req)
			return 0, err
		})
		if n != 2 || StatusCode(err) != 503 {
			t.Errorf("always 503 with MaxAttempts 2: %d attempts, %v", n, err)
		}
	})
}

// Calls that share a Backoff and its Seed draw different waits; a jitter key makes them repeatable.
func TestJitterPerCall(t *testing.T) {
	b := Backoff{Base: time.Second, Cap: time.Second, Seed: 7}
	first := func(ctx context.Context) time.Duration { return jitter(JitterSource(ctx, b.Seed), b, 1) }
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[first(context.Background())] = true
	}
	if len(seen) < 20 {
		t.Errorf("20 calls with one Seed drew %d different waits", len(seen))
	}
	k1, k2 := WithJitterKey(context.Background(), 1), WithJitterKey(context.Background(), 2)
	if first(k1) != first(k1) || first(k1) == first(k2) {
		t.Error("the same seed and key must draw the same waits, different keys different ones")
	}
}

// N calls refused together by a real 429 from the mock do not retry at the same instant.
func TestRetryNotInLockstep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := mock.New(mock.Config{RPM: 1})
		cfg := srv.ClientConfig()
		cfg.HTTPClient = &http.Client{Transport: &Transport{Base: srv.Transport()}}
		client := openai.NewClientWithConfig(cfg)
		var mu sync.Mutex
		var retries []time.Time
		var wg sync.WaitGroup
		b := Backoff{Base: 10 * time.Second, Cap: 10 * time.Second, MaxAttempts: 2, Seed: 1} // one Seed for all
		for range 10 {
			wg.Go(func() {
				attempt := 0
				Retry(context.Background(), b, func(ctx context.Context) error {
					if attempt++; attempt == 2 {
						mu.Lock()
						retries = append(retries, time.Now())
						mu.Unlock()
					}
					_, err := client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o",
						Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}}})
					return err
				})
			})
		}
		wg.Wait()
		distinct := map[time.Time]bool{}
		for _, r := range retries {
			distinct[r] = true
		}
		if len(retries) < 9 || len(distinct) < len(retries)-1 {
			t.Errorf("%d calls refused together retried at %d distinct instants", len(retries), len(distinct))
		}
	})
}
