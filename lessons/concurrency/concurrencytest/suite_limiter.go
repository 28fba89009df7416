package concurrencytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// NewLimiterFunc is the signature of Impl.NewLimiter.
type NewLimiterFunc = func(rpm, tpm, maxTokens int) (concurrency.Limiter, error)

const limiterModel = "gpt-4o-mini"

// start is one limited call as the suite saw it.
type start struct {
	at     time.Duration // when Wait let it through, since the run began
	actual int           // tokens the API reported
}

// limitedRun makes n chat calls through lim against srv with k workers: Wait(estimate), call, Settle(estimate,
// usage). estimate(prompt) gives each call's estimate from its prompt tokens. It returns the calls in the order
// they were let through and the virtual time the run took.
func limitedRun(t *testing.T, lim concurrency.Limiter, srv *mock.Server, n, k, maxOut int, estimate func(prompt int) int) ([]start, time.Duration) {
	t.Helper()
	client := openai.NewClientWithConfig(srv.ClientConfig())
	t0 := time.Now()
	var mu sync.Mutex
	var starts []start
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range k {
		wg.Go(func() {
			for i := range jobs {
				msgs := []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser,
					Content: fmt.Sprintf("Summarise entry %d of the site log in one line.", i)}}
				est := estimate(tokens.CountChat(limiterModel, msgs))
				if err := lim.Wait(context.Background(), est); err != nil {
					t.Errorf("Wait(%d): %v", est, err)
					continue
				}
				at := time.Since(t0)
				resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
					Model: limiterModel, Messages: msgs, MaxCompletionTokens: maxOut})
				if err != nil {
					lim.Settle(est, 0)
					continue // counted by the mock as a 429
				}
				lim.Settle(est, resp.Usage.TotalTokens)
				mu.Lock()
				starts = append(starts, start{at, resp.Usage.TotalTokens})
				mu.Unlock()
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return starts, time.Since(t0)
}

// overBudget returns the first call at which the tokens used so far passed burst + rate·t, by more than slack.
func overBudget(starts []start, burst, tpm, slack int) (int, float64, float64) {
	used := 0
	for i, s := range starts {
		used += s.actual
		if budget := float64(burst) + float64(tpm)*s.at.Minutes(); float64(used) > budget+float64(slack) {
			return i, float64(used), budget
		}
	}
	return -1, 0, 0
}

func testLimiter(t *testing.T, newLimiter NewLimiterFunc) {
	// The first call, in the test's goroutine, so an unfinished stub stops here with its hint.
	if _, err := newLimiter(600, 60000, 1000); err != nil {
		t.Fatalf("NewLimiter(600, 60000, 1000): %v", err)
	}

	t.Run("bad input", func(t *testing.T) {
		for _, c := range [][3]int{{0, 6000, 100}, {60, 0, 100}, {60, 6000, 0}, {-1, 6000, 100}, {60, 100, 200}} {
			if _, err := newLimiter(c[0], c[1], c[2]); err == nil {
				t.Errorf("NewLimiter(%d, %d, %d): no error", c[0], c[1], c[2])
			}
		}
		suite.Bubble(t, func(t *testing.T) {
			lim, err := newLimiter(60, 6000, 200)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := lim.Wait(context.Background(), 201); err == nil {
				t.Error("Wait(201) with maxTokens 200: no error; a request above the burst can never pass, say so")
			}
			if err := lim.Wait(context.Background(), -5); err == nil {
				t.Error("Wait(-5): no error")
			}
			if took := time.Since(start); took != 0 {
				t.Errorf("bad Waits took %v of virtual time; they must fail at once", took)
			}
		})
	})

	t.Run("Wait ends with its context", func(t *testing.T) {
		// 100 tokens a second, a burst of 100: after the first Wait(100), the next must wait a second.
		suite.Bubble(t, func(t *testing.T) {
			lim, err := newLimiter(6000, 6000, 100)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := lim.Wait(context.Background(), 100); err != nil {
				t.Fatalf("first Wait(100): %v", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(500*time.Millisecond, cancel)
			err = lim.Wait(ctx, 100)
			if !errors.Is(err, context.Canceled) || time.Since(start) != 500*time.Millisecond {
				t.Fatalf("a Wait cancelled 0.5s into its 1s wait returned %v after %v; want context.Canceled after 0.5s: "+
					"select on ctx.Done() while waiting", err, time.Since(start))
			}
			// The cancelled Wait must not keep its tokens: the next 100 are there at 1s, not 2s.
			if err := lim.Wait(context.Background(), 100); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took != time.Second {
				t.Errorf("after a Wait cancelled at 0.5s, the next Wait(100) passed at %v, want 1s: a cancelled Wait "+
					"must give back what it reserved (Reservation.Cancel), or it charges tokens nobody used", took)
			}
		})
		suite.Bubble(t, func(t *testing.T) {
			lim, err := newLimiter(6000, 6000, 100)
			if err != nil {
				t.Fatal(err)
			}
			lim.Wait(context.Background(), 100)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			if err := lim.Wait(ctx, 100); err == nil || time.Since(start) != 0 {
				t.Errorf("a Wait that needs 1s with 0.5s left returned %v after %v; want an error at once (waiting "+
					"until the deadline only to fail wastes the caller's time)", err, time.Since(start))
			}
			// And it took nothing either.
			if err := lim.Wait(context.Background(), 100); err != nil || time.Since(start) != time.Second {
				t.Errorf("after a Wait that failed fast, the next Wait(100) passed at %v (%v), want 1s", time.Since(start), err)
			}
		})
	})

	t.Run("requests are spaced evenly", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			srv := mock.New(mock.Config{RPM: 60, AnswerTokens: 5})
			lim, err := newLimiter(60, 1_000_000, 1000)
			if err != nil {
				t.Fatal(err)
			}
			starts, _ := limitedRun(t, lim, srv, 20, 4, 0, func(p int) int { return p + 5 })
			for i, s := range starts {
				if want := time.Duration(i) * time.Second; s.at < want-time.Millisecond || s.at > want+time.Millisecond {
					t.Errorf("call %d let through at %v, want %v: 60 requests per minute is one a second (burst 1)", i, s.at, want)
					break
				}
			}
			if n := srv.Stats().ByStatus[429]; n != 0 {
				t.Errorf("the mock answered %d calls with 429", n)
			}
		})
	})

	t.Run("tokens per minute with reconciliation", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			const (
				tpm, burst = 6000, 200 // 100 tokens a second
				n, k       = 120, 6
				answer     = 30 // tokens the mock answers with
				maxOut     = 60 // the cap each request sets: the estimate's worst case
				latency    = 200 * time.Millisecond
			)
			srv := mock.New(mock.Config{RPM: 600, TPM: tpm, AnswerTokens: answer, TTFT: latency})
			lim, err := newLimiter(600, tpm, burst)
			if err != nil {
				t.Fatal(err)
			}
			// Estimate: the prompt plus the most the answer can be. The answer is shorter: the difference must
			// be given back, or the run is paced by estimates instead of usage.
			starts, took := limitedRun(t, lim, srv, n, k, maxOut, func(p int) int { return p + maxOut })
			if len(starts) != n {
				t.Fatalf("%d of %d calls succeeded", len(starts), n)
			}
			if st := srv.Stats(); st.ByStatus[429] != 0 {
				t.Errorf("the mock answered %d calls with 429 (limits %d RPM, %d TPM)", st.ByStatus[429], 600, tpm)
			}
			if i, used, budget := overBudget(starts, burst, tpm, 1); i >= 0 {
				t.Errorf("by call %d (at %v) %.0f tokens were used; the limits allow %.0f by then", i, starts[i].at, used, budget)
			}
			total := 0
			for _, s := range starts {
				total += s.actual
			}
			last := starts[n-1].actual - answer + maxOut // the last call's estimate
			ideal := time.Duration(float64(total-starts[n-1].actual+last-burst)/tpm*float64(time.Minute)) + latency
			if took > ideal+ideal/50+time.Second {
				t.Errorf("%d calls took %v of virtual time; paced by the tokens really used they take %v: give back "+
					"the tokens estimated but not used", n, took, ideal.Round(time.Millisecond))
			}
		})
	})

	t.Run("tokens beyond the estimate are charged", func(t *testing.T) {
		suite.Bubble(t, func(t *testing.T) {
			const tpm, burst, answer = 6000, 200, 30
			srv := mock.New(mock.Config{TPM: tpm, AnswerTokens: answer})
			lim, err := newLimiter(600, tpm, burst)
			if err != nil {
				t.Fatal(err)
			}
			// Estimate the prompt only: each call uses 30 tokens more than it asked for.
			starts, _ := limitedRun(t, lim, srv, 60, 1, 0, func(p int) int { return p })
			if i, used, budget := overBudget(starts, burst, tpm, answer+1); i >= 0 {
				t.Errorf("by call %d (at %v) %.0f tokens were used; the limits allow %.0f by then: charge the tokens a "+
					"call used beyond its estimate", i, starts[i].at, used, budget)
			}
		})
	})
}
