package mock_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// In a synctest bubble the latency model runs on virtual time: seconds of simulated latency cost no real time.
func TestLatencyVirtualTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{TTFT: 10 * time.Second, InterToken: time.Second, AnswerTokens: 3})
		c := s.Client()
		req := openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("slow"), Stream: true}

		start := time.Now()
		st, err := c.CreateChatCompletionStream(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var arrivals []time.Duration
		for {
			r, err := st.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Choices) > 0 && r.Choices[0].Delta.Content != "" {
				arrivals = append(arrivals, time.Since(start))
			}
		}
		st.Close()
		want := []time.Duration{10 * time.Second, 11 * time.Second, 12 * time.Second}
		if len(arrivals) != len(want) {
			t.Fatalf("arrivals %v, want %v", arrivals, want)
		}
		for i := range want {
			if arrivals[i] != want[i] {
				t.Errorf("token %d arrived at %v, want %v", i, arrivals[i], want[i])
			}
		}

		// Non-streaming: the whole reply when the last token is due.
		req.Stream = false
		start = time.Now()
		if _, err := c.CreateChatCompletion(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 12*time.Second {
			t.Errorf("non-streaming reply after %v, want 12s", got)
		}
	})
}

// A client that gives up ends the handler's wait: no goroutine is left (synctest would report it).
func TestLatencyCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{TTFT: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err := s.Client().CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("x")})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("gave up after %v", d)
		}
		synctest.Wait()
		if st := s.Stats(); st.InFlight != 0 {
			t.Errorf("in flight after cancel: %d", st.InFlight)
		}
	})
}

func TestJitterAndTail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttft = time.Second
		s := mock.New(mock.Config{TTFT: ttft, Jitter: 0.2, TailRate: 0.1, TailDelay: 5 * time.Second, Seed: 7, AnswerTokens: 1})
		c := s.Client()
		var tails, jittered int
		for range 200 {
			start := time.Now()
			if _, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("x")}); err != nil {
				t.Fatal(err)
			}
			d := time.Since(start)
			if d >= 5*time.Second {
				tails++
				d -= 5 * time.Second
			}
			if d < 800*time.Millisecond || d > 1200*time.Millisecond {
				t.Fatalf("latency %v outside ttft ± 20%%", d)
			}
			if d != ttft {
				jittered++
			}
		}
		if tails < 5 || tails > 40 {
			t.Errorf("%d of 200 in the tail, want about 20", tails)
		}
		if jittered < 190 {
			t.Errorf("only %d of 200 jittered", jittered)
		}
	})
}

// A client that stops reading a stream and closes it ends the handler.
func TestStreamClosedEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{TTFT: time.Second, InterToken: time.Second, AnswerTokens: 50})
		st, err := s.Client().CreateChatCompletionStream(context.Background(),
			openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("long"), Stream: true})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := st.Recv(); err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
		synctest.Wait()
		if n := s.Stats().InFlight; n != 0 {
			t.Errorf("%d requests still in flight after the client closed the stream", n)
		}
	})
}
