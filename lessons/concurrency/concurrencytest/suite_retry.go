package concurrencytest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/suite"
	openai "github.com/sashabaranov/go-openai"
)

// RetryFunc is the signature of Impl.Retry.
type RetryFunc = func(ctx context.Context, b concurrency.Backoff, call func(context.Context) error) error

// chatCall is one chat request through client, as Retry's call.
func chatCall(client *openai.Client) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
			Model:    "gpt-4o-mini",
			Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "hello"}},
		})
		return err
	}
}

// chatCallAs is chatCall for call number i of a Router.
func chatCallAs(client *openai.Client, i int) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
			Model:    "gpt-4o-mini",
			Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: RouteTo(i)}},
		})
		return err
	}
}

// runScript runs retry against script in a bubble; it returns the error and the virtual time Retry took.
func runScript(t *testing.T, retry RetryFunc, wrap func(http.RoundTripper) http.RoundTripper, ctx context.Context,
	b concurrency.Backoff, s *Script) (error, time.Duration) {
	start := time.Now()
	err := retry(ctx, b, chatCall(ScriptClient(s, wrap)))
	return err, time.Since(start)
}

// waits are the gaps between a script's attempts.
func waits(s *Script) []time.Duration {
	at := s.Attempts()
	var w []time.Duration
	for i := 1; i < len(at); i++ {
		w = append(w, at[i].Sub(at[i-1]))
	}
	return w
}

func testRetry(t *testing.T, retry RetryFunc, wrap func(http.RoundTripper) http.RoundTripper) {
	// The first calls, in the test's goroutine, so an unfinished stub stops here with its hint.
	wrap(http.DefaultTransport)
	ok := &Script{Steps: []Step{{Status: 200}}}
	if err := retry(context.Background(), concurrency.Backoff{Base: time.Millisecond, Cap: time.Millisecond, MaxAttempts: 3},
		chatCall(ScriptClient(ok, wrap))); err != nil || len(ok.Attempts()) != 1 {
		t.Fatalf("a call that succeeds at once: error %v after %d attempts; want nil after 1", err, len(ok.Attempts()))
	}

	base := concurrency.Backoff{Base: 100 * time.Millisecond, Cap: 2 * time.Second, MaxAttempts: 6, Seed: 7}

	t.Run("retries transient failures", func(t *testing.T) {
		for _, st := range []Step{{Status: 408}, {Status: 429}, {Status: 500}, {Status: 502}, {Status: 503}, {Status: 504},
			{Err: ConnReset}, {Drop: true}} {
			name := fmt.Sprint(st.Status)
			switch {
			case st.Err != nil:
				name = "connection reset"
			case st.Drop:
				name = "body cut short"
			}
			suite.Bubble(t, func(t *testing.T) {
				s := &Script{Steps: []Step{st, st, st, {Status: 200}}}
				err, _ := runScript(t, retry, wrap, context.Background(), base, s)
				if err != nil {
					t.Fatalf("%s ×3 then 200: %v; want success on the 4th attempt", name, err)
				}
				if n := len(s.Attempts()); n != 4 {
					t.Errorf("%s ×3 then 200: %d attempts, want 4", name, n)
				}
				for a, w := range waits(s) {
					if bound := min(base.Cap, base.Base<<a); w > bound {
						t.Errorf("%s: wait before retry %d was %v, want at most min(Cap, Base·2^%d) = %v (full jitter: "+
							"a random wait in [0, bound])", name, a+1, w, a, bound)
					}
				}
			})
		}
	})

	t.Run("never retries a request the server rejects", func(t *testing.T) {
		for _, code := range []int{400, 401, 403, 404, 422} {
			suite.Bubble(t, func(t *testing.T) {
				s := &Script{Steps: []Step{{Status: code}, {Status: 200}}}
				err, took := runScript(t, retry, wrap, context.Background(), base, s)
				if n := len(s.Attempts()); n != 1 {
					t.Errorf("%d: %d attempts; a %d will fail the same way again, so try once", code, n, code)
				}
				if statusOf(err) != code {
					t.Errorf("%d: returned %v; want the API's error (an *openai.APIError with status %d)", code, err, code)
				}
				if took != 0 {
					t.Errorf("%d: returned after %v of virtual time; want at once", code, took)
				}
			})
		}
	})

	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			s := &Script{Steps: []Step{{Status: 500}}}
			b := base
			b.MaxAttempts = 4
			err, _ := runScript(t, retry, wrap, context.Background(), b, s)
			if n := len(s.Attempts()); n != 4 {
				t.Errorf("always 500 with MaxAttempts 4: %d attempts", n)
			}
			if statusOf(err) != 500 {
				t.Errorf("returned %v; want an error wrapping the last failure (status 500)", err)
			}
		})
	})

	t.Run("honours the server's wait", func(t *testing.T) {
		quick := concurrency.Backoff{Base: time.Millisecond, Cap: 10 * time.Millisecond, MaxAttempts: 3, Seed: 1}
		for _, tc := range []struct {
			name   string
			header map[string]string
			want   time.Duration
		}{
			{"retry-after: 3", map[string]string{"retry-after": "3"}, 3 * time.Second},
			{"retry-after-ms: 1500", map[string]string{"retry-after-ms": "1500"}, 1500 * time.Millisecond},
			{"x-ratelimit-reset-requests: 1s", map[string]string{
				"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"}, time.Second},
			{"x-ratelimit-reset-tokens: 20ms", map[string]string{
				"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "20ms"}, 20 * time.Millisecond},
			{"x-ratelimit-reset-tokens: 1m30s", map[string]string{
				"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "1m30s"}, 90 * time.Second},
		} {
			suite.Bubble(t, func(t *testing.T) {
				s := &Script{Steps: []Step{{Status: 429, Header: tc.header}, {Status: 200}}}
				err, _ := runScript(t, retry, wrap, context.Background(), quick, s)
				if err != nil {
					t.Fatalf("%s then 200: %v", tc.name, err)
				}
				w := waits(s)
				if len(w) != 1 {
					t.Fatalf("%s then 200: %d attempts, want 2", tc.name, len(w)+1)
				}
				if w[0] < tc.want || w[0] > tc.want+quick.Cap {
					t.Errorf("429 with %s: waited %v before retrying, want %v (the server's wait, not the backoff's "+
						"few ms; read the header through your Transport)", tc.name, w[0], tc.want)
				}
			})
		}
	})

	t.Run("stops at the deadline", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s := &Script{Steps: []Step{{Status: 503}}}
			b := concurrency.Backoff{Base: time.Second, Cap: time.Minute, Seed: 3}
			err, took := runScript(t, retry, wrap, ctx, b, s)
			at := s.Attempts()
			if len(at) < 2 {
				t.Fatalf("%d attempts before a 10s deadline with 1s base backoff; want retries", len(at))
			}
			if took > 10*time.Second {
				t.Errorf("returned after %v, past the 10s deadline", took)
			}
			if statusOf(err) != 503 {
				t.Errorf("returned %v; want an error that wraps the last failure (status 503), so the caller sees why", err)
			}
			if last := at[len(at)-1]; time.Since(last) != 0 {
				t.Errorf("slept %v after the last attempt and then gave up; when the next wait cannot fit before the "+
					"deadline, return at once", time.Since(last))
			}
		})
		suite.Bubble(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s := &Script{Steps: []Step{{Status: 429, Header: map[string]string{
				"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6m0s"}}, {Status: 200}}}
			err, took := runScript(t, retry, wrap, ctx, base, s)
			if took != 0 || len(s.Attempts()) != 1 {
				t.Errorf("a reset in 6m0s with 1 minute left: %d attempts, returned after %v; want 1 attempt and an "+
					"immediate return (the wait cannot fit)", len(s.Attempts()), took)
			}
			if statusOf(err) != 429 {
				t.Errorf("returned %v; want an error that wraps the 429", err)
			}
		})
	})

	t.Run("cancel while waiting", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(time.Second, cancel)
			s := &Script{Steps: []Step{{Status: 429, Header: map[string]string{"retry-after": "30"}}}}
			err, took := runScript(t, retry, wrap, ctx, base, s)
			if !errors.Is(err, context.Canceled) || took != time.Second {
				t.Errorf("cancelled 1s into a 30s wait: returned %v after %v; want context.Canceled after 1s", err, took)
			}
		})
	})

	t.Run("backoff grows", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			// 40 calls that always fail, at once: the waits before retry n are bounded by Base·2ⁿ⁻¹ and, drawn
			// uniformly below that bound, average half of it.
			const n, attempts = 40, 8
			b := concurrency.Backoff{Base: 100 * time.Millisecond, Cap: time.Minute, MaxAttempts: attempts, Seed: 5}
			scripts := make([]*Script, n)
			for i := range scripts {
				scripts[i] = &Script{Steps: []Step{{Status: 503}}}
			}
			client := ScriptClient(&Router{Scripts: scripts}, wrap)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { retry(context.Background(), b, chatCallAs(client, i)) })
			}
			wg.Wait()
			var sum time.Duration
			for _, s := range scripts {
				w := waits(s)
				if len(w) != attempts-1 {
					t.Fatalf("always 503 with MaxAttempts %d: %d attempts", attempts, len(w)+1)
				}
				sum += w[attempts-2]
			}
			bound := b.Base << (attempts - 2)
			if mean := sum / n; mean < bound/8 {
				t.Errorf("the wait before retry %d averaged %v over %d calls; its bound is Base·2^%d = %v, so full "+
					"jitter averages about %v: the backoff must grow with each attempt", attempts-1, mean, n, attempts-2,
					bound, bound/2)
			}
		})
	})

	t.Run("concurrent calls", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			// 20 calls that share one Backoff (and its Seed) and one client are refused together. Half get a 429
			// that asks for 30 s, half a plain 503; then they succeed.
			const n = 20
			b := concurrency.Backoff{Base: time.Second, Cap: time.Second, MaxAttempts: 3, Seed: 42}
			scripts := make([]*Script, n)
			for i := range scripts {
				first := Step{Status: 503, BodyDelay: time.Duration(i) * time.Millisecond}
				if i%2 == 0 {
					first = Step{Status: 429, Header: map[string]string{"retry-after": "30"}, BodyDelay: time.Duration(i) * time.Millisecond}
				}
				scripts[i] = &Script{Steps: []Step{first, {Status: 200}}}
			}
			client := ScriptClient(&Router{Scripts: scripts}, wrap)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { errs[i] = retry(context.Background(), b, chatCallAs(client, i)) })
			}
			wg.Wait()
			retries := map[time.Duration]bool{}
			for i, s := range scripts {
				w := waits(s)
				if errs[i] != nil || len(w) != 1 {
					t.Fatalf("call %d: %v after %d attempts; want success on the 2nd", i, errs[i], len(w)+1)
				}
				switch {
				case i%2 == 0 && w[0] < 30*time.Second:
					t.Errorf("call %d got a 429 with retry-after: 30 and retried after %v, as if it read another call's "+
						"retry-after: each attempt must see only its own response's headers", i, w[0])
				case i%2 == 1 && w[0] >= 30*time.Second:
					t.Errorf("call %d got a plain 503 and waited %v, as if it read another call's retry-after: each "+
						"attempt must see only its own response's headers", i, w[0])
				case i%2 == 1:
					retries[w[0]-time.Duration(i)*time.Millisecond] = true // from when its body arrived
				}
			}
			if len(retries) < n/4 {
				t.Errorf("%d calls refused together with the same Backoff retried at only %d different instants: "+
					"they retry in lockstep. Full jitter needs each call to draw its own waits (mix something per "+
					"call into the seed)", n/2, len(retries))
			}
		})
	})

	t.Run("full jitter", func(t *testing.T) {
		b := concurrency.Backoff{Base: time.Second, Cap: time.Second, MaxAttempts: 2, Seed: 9}
		var sum time.Duration
		distinct := map[time.Duration]bool{}
		const n = 60
		for range n {
			suite.Bubble(t, func(t *testing.T) {
				s := &Script{Steps: []Step{{Status: 503}}}
				runScript(t, retry, wrap, context.Background(), b, s)
				if ws := waits(s); len(ws) == 1 {
					sum += ws[0]
					distinct[ws[0]] = true
				}
			})
		}
		if len(distinct) < n/2 {
			t.Errorf("%d calls gave only %d different waits; full jitter draws each wait at random", n, len(distinct))
		}
		if mean := sum / n; mean < 250*time.Millisecond || mean > 750*time.Millisecond {
			t.Errorf("mean first wait %v over %d calls with a 1s bound; full jitter is uniform in [0, 1s), mean ≈ 500ms",
				mean, n)
		}
	})
}
