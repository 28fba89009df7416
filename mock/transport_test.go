package mock_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// When a request's context ends mid-body, the in-memory body reports the context's error — as net/http does
// over a real connection — not a bare io.EOF that a caller would take for a complete answer.
func TestTransportBodyEndsWithContextError(t *testing.T) {
	stream := `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	errCause := errors.New("the user pressed stop")
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, func())
		want error
	}{
		{"deadline", func() (context.Context, func()) {
			return context.WithTimeout(context.Background(), 3*time.Second)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(3*time.Second, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"cause", func() (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(context.Background())
			time.AfterFunc(3*time.Second, func() { cancel(errCause) })
			return ctx, func() { cancel(nil) }
		}, errCause},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// The first token after 1 s, then one a second: the context ends mid-stream.
				s := mock.New(mock.Config{TTFT: time.Second, InterToken: time.Second, AnswerTokens: 50})
				ctx, stop := tc.ctx()
				defer stop()
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, mock.BaseURL+"/chat/completions", strings.NewReader(stream))
				if err != nil {
					t.Fatal(err)
				}
				resp, err := s.Transport().RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				got, err := io.ReadAll(resp.Body)
				if !errors.Is(err, tc.want) {
					t.Errorf("body read ended with %v, want %v", err, tc.want)
				}
				if !strings.Contains(string(got), `"content":`) || strings.Contains(string(got), "[DONE]") {
					t.Errorf("want some chunks and no [DONE] before the context ended; got %q", got)
				}
				synctest.Wait()
				if st := s.Stats(); st.InFlight != 0 {
					t.Errorf("%d requests still in flight", st.InFlight)
				}
			})
		})
	}
}

// go-openai's stream reader passes the transport's error on, so Recv reports the deadline.
func TestTransportStreamRecvDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{TTFT: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		st, err := s.Client().CreateChatCompletionStream(ctx, openai.ChatCompletionRequest{Model: "gpt-4o-mini", Messages: userMsg("hi")})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Recv(); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Recv = %v, want context.DeadlineExceeded", err)
		}
	})
}
