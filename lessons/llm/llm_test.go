package llm

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

const secret = "sk-test-DO-NOT-PRINT-0123456789abcdef"

func TestNewPicksProvider(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		key, base, model         string
		provider, str, modelWant string
		mock                     bool
	}{
		{"no key: mock", "", "", "", "mock", "mock (in-process)", DefaultModel, true},
		{"no key, model set", "", "", "gpt-4.1-nano", "mock", "mock (in-process)", "gpt-4.1-nano", true},
		{"key: openai", secret, "", "", "openai", "openai at https://api.openai.com/v1", DefaultModel, false},
		{"key and base URL", secret, "http://localhost:8080/v1", "gpt-5-mini", "openai", "openai at http://localhost:8080/v1", "gpt-5-mini", false},
		{"credentials in base URL are hidden", secret, "https://user:" + secret + "@proxy.example/v1?key=" + secret, "", "openai", "openai at https://proxy.example/v1", DefaultModel, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("OPENAI_API_KEY", tc.key)
			t.Setenv("OPENAI_BASE_URL", tc.base)
			t.Setenv("OPENAI_MODEL", tc.model)
			c, err := New()
			if err != nil {
				t.Fatal(err)
			}
			if c.Provider != tc.provider || c.String() != tc.str || c.Model != tc.modelWant || (c.Mock != nil) != tc.mock {
				t.Errorf("got provider %q, String %q, model %q, mock %v", c.Provider, c.String(), c.Model, c.Mock != nil)
			}
			if strings.Contains(c.String(), secret) {
				t.Errorf("String() shows the key: %q", c.String())
			}
		})
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", secret)
	for _, base := range []string{"localhost:8080", "ftp://x/v1", "://"} {
		t.Setenv("OPENAI_BASE_URL", base)
		_, err := New()
		if err == nil || !strings.Contains(err.Error(), "OPENAI_BASE_URL") || strings.Contains(err.Error(), secret) {
			t.Errorf("OPENAI_BASE_URL=%q: err = %v", base, err)
		}
	}
}

// TestKeyNeverInErrors makes a real-provider client fail in several ways and checks no error text has the key.
func TestKeyNeverInErrors(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", secret)
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1") // nothing listens on port 1: connection refused
	t.Setenv("OPENAI_MODEL", "")
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err1 := c.Chat(ctx, "hello")
	_, _, _, err2 := c.Stream(ctx, "hello")
	var tr metrics.Tracker
	_, err3 := c.ChatTracked(ctx, &tr, "x", "hello")
	for i, err := range []error{err1, err2, err3} {
		if err == nil {
			t.Fatalf("call %d succeeded against a closed port", i)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[8:]) {
			t.Errorf("error shows the key: %v", err)
		}
		if !strings.Contains(err.Error(), "openai at http://127.0.0.1:1/v1") {
			t.Errorf("error does not name the provider: %v", err)
		}
	}
	if got := tr.Summary().Errors; got != 1 {
		t.Errorf("tracked errors = %d, want 1", got)
	}
	// An underlying error that does contain the key is scrubbed.
	e := c.wrap("chat", errors.New("bad key "+secret+" rejected"))
	if strings.Contains(e.Error(), secret) || !strings.Contains(e.Error(), "[REDACTED]") {
		t.Errorf("wrapped error = %q", e)
	}
}

func TestChatAndTracking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewMock(mock.Config{TTFT: 400 * time.Millisecond, InterToken: 10 * time.Millisecond, Seed: 3})
		ctx := context.Background()
		text, usage, err := c.Chat(ctx, "Summarise the site log.")
		if err != nil {
			t.Fatal(err)
		}
		if text == "" || usage.PromptTokens == 0 || usage.CompletionTokens == 0 {
			t.Fatalf("Chat = %q, %+v", text, usage)
		}
		again, _, _ := c.Chat(ctx, "Summarise the site log.")
		if again != text {
			t.Error("the mock is deterministic: same prompt, same answer")
		}

		var tr metrics.Tracker
		streamed, err := c.StreamTracked(ctx, &tr, "stream", "Summarise the site log.")
		if err != nil {
			t.Fatal(err)
		}
		if streamed != text {
			t.Errorf("stream %q differs from chat %q", streamed, text)
		}
		if _, err := c.ChatTracked(ctx, &tr, "chat", "Summarise the site log."); err != nil {
			t.Fatal(err)
		}
		calls := tr.Calls()
		if len(calls) != 2 {
			t.Fatalf("%d calls tracked", len(calls))
		}
		s, ch := calls[0], calls[1]
		// Virtual time: first token after exactly the TTFT; the answer after TTFT + (n-1) inter-token gaps or so.
		if s.TTFT != 400*time.Millisecond {
			t.Errorf("TTFT = %v, want 400ms", s.TTFT)
		}
		if s.Latency <= s.TTFT || s.CompletionTokens != usage.CompletionTokens || s.PromptTokens != usage.PromptTokens {
			t.Errorf("stream call = %+v, usage %+v", s, usage)
		}
		if ch.TTFT != 0 || ch.Latency < 400*time.Millisecond || ch.Label != "chat" || ch.Model != DefaultModel {
			t.Errorf("chat call = %+v", ch)
		}
		if s.Cost <= 0 || s.Cost != ch.Cost {
			t.Errorf("costs %v and %v: want equal and positive for the same usage", s.Cost, ch.Cost)
		}
		if st := c.Mock.Stats(); st.Requests != 4 {
			t.Errorf("mock saw %d requests, want 4", st.Requests)
		}
	})
}

func TestErrorsUnwrap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewMock(mock.Config{FaultRate: 1, Faults: []mock.Fault{mock.Fault503}})
		_, _, err := c.Chat(context.Background(), "hi")
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 503 {
			t.Fatalf("err = %v; want an *openai.APIError with status 503 inside", err)
		}
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "llm: chat "+DefaultModel+" via mock (in-process)") {
			t.Errorf("err = %q", err)
		}
	})
}

func TestCanceledContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewMock(mock.Config{TTFT: time.Hour})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, _, _, err := c.Stream(ctx, "hi")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want deadline exceeded", err)
		}
	})
}

// A stream that ends cleanly but before any finish_reason (a proxy that cut it) is an error, not an answer.
func TestStreamCutShortIsAnError(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, `data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"half an"}}]}`+"\n\n")
	}))
	defer hs.Close()
	cfg := openai.DefaultConfig("sk-test")
	cfg.BaseURL = hs.URL + "/v1"
	c := &Client{Client: openai.NewClientWithConfig(cfg), Provider: "openai", Model: DefaultModel, baseURL: cfg.BaseURL}
	text, _, _, err := c.Stream(context.Background(), "hi")
	if !errors.Is(err, io.ErrUnexpectedEOF) || text != "half an" {
		t.Errorf("Stream = %q, %v; want the partial text and io.ErrUnexpectedEOF", text, err)
	}
}
