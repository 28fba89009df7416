package concurrency_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/llmperf/workbook/solutions/concurrency"
)

func ExampleSemaphore() {
	sem := concurrency.NewSemaphore(2)
	fmt.Println(sem.TryAcquire(), sem.TryAcquire(), sem.TryAcquire())
	sem.Release()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	fmt.Println(sem.Acquire(ctx))                                      // the slot just released
	fmt.Println(errors.Is(sem.Acquire(ctx), context.DeadlineExceeded)) // full: waits until ctx ends
	// Output:
	// true true false
	// <nil>
	// true
}

func ExampleBatch() {
	jobs := make([]func(context.Context) (string, error), 5)
	for i := range jobs {
		jobs[i] = func(ctx context.Context) (string, error) {
			if i == 3 {
				return "", fmt.Errorf("job %d: bad input", i)
			}
			time.Sleep(time.Duration(5-i) * time.Millisecond) // later jobs finish first
			return fmt.Sprintf("answer %d", i), nil
		}
	}
	res, _ := concurrency.Batch(context.Background(), 2, concurrency.CollectAll, jobs)
	for _, r := range res {
		fmt.Printf("%q %v\n", r.Value, r.Err)
	}
	_, err := concurrency.Batch(context.Background(), 2, concurrency.FirstError, jobs)
	fmt.Println(err)
	// Output:
	// "answer 0" <nil>
	// "answer 1" <nil>
	// "answer 2" <nil>
	// "" job 3: bad input
	// "answer 4" <nil>
	// job 3: bad input
}

func ExampleServerWait() {
	h := http.Header{}
	h.Set("x-ratelimit-remaining-requests", "0")
	h.Set("x-ratelimit-reset-requests", "6m0s")
	h.Set("x-ratelimit-remaining-tokens", "5000")
	h.Set("x-ratelimit-reset-tokens", "20ms")
	fmt.Println(concurrency.ServerWait(h)) // only the exhausted limit counts
	h.Set("retry-after", "2")
	fmt.Println(concurrency.ServerWait(h)) // the server's explicit answer wins
	// Output:
	// 6m0s
	// 2s
}

func ExampleFirst() {
	slow := func(ctx context.Context) (string, error) {
		select {
		case <-time.After(time.Second):
			return "slow replica", nil
		case <-ctx.Done():
			return "", ctx.Err() // cancelled once the fast one answered
		}
	}
	fast := func(ctx context.Context) (string, error) {
		time.Sleep(5 * time.Millisecond)
		return "fast replica", nil
	}
	// Ask the slow one; if it has not answered in 10ms, ask the fast one too.
	v, err := concurrency.First(context.Background(), 10*time.Millisecond, slow, fast)
	fmt.Println(v, err)
	// Output: fast replica <nil>
}

func ExampleNewAdaptiveLimiter() {
	lim := concurrency.NewAdaptiveLimiter()
	t, _ := lim.Admit(context.Background(), 500) // the first request goes alone
	fmt.Println(lim.Limits())

	h := http.Header{} // what the provider said when it admitted it
	h.Set("x-ratelimit-limit-requests", "500")
	h.Set("x-ratelimit-remaining-requests", "499")
	h.Set("x-ratelimit-limit-tokens", "200000")
	h.Set("x-ratelimit-remaining-tokens", "80000") // someone else has been using this key
	lim.Done(t, concurrency.Reply{Status: 200, Header: h, Used: 420})
	fmt.Println(lim.Limits())
	// Output:
	// 0 0
	// 500 200000
}
