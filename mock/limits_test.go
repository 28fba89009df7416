package mock_test

import (
	"context"
	"encoding/json"
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

func TestRateLimitRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{RPM: 3})
		c := s.Client()
		ctx := context.Background()
		req := openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("x")}
		for i := range 3 {
			resp, err := c.CreateChatCompletion(ctx, req)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			h := resp.GetRateLimitHeaders()
			if h.LimitRequests != 3 || h.RemainingRequests != 2-i {
				t.Errorf("request %d: headers %+v", i, h)
			}
		}
		_, err := c.CreateChatCompletion(ctx, req)
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 429 || apiErr.Type != "requests" || apiErr.Code != "rate_limit_exceeded" {
			t.Fatalf("4th request: %v", err)
		}
		// Another model has its own bucket.
		if _, err := c.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4.1", Messages: userMsg("x")}); err != nil {
			t.Fatalf("other model: %v", err)
		}
		// One request's worth refills in 20 s.
		time.Sleep(20 * time.Second)
		if _, err := c.CreateChatCompletion(ctx, req); err != nil {
			t.Fatalf("after 20s: %v", err)
		}
		if st := s.Stats(); st.RateLimited != 1 || st.ByStatus[429] != 1 {
			t.Errorf("stats %+v", st)
		}
	})
}

func TestRateLimitHeaders429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{RPM: 60, TPM: 1000})
		body := `{"model":"gpt-4o","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`
		var last *http.Response
		for {
			resp, err := s.Transport().RoundTrip(mustRequest(t, body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == 429 {
				last = resp
				break
			}
			for _, k := range []string{"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
				"x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"} {
				if resp.Header.Get(k) == "" {
					t.Fatalf("success without %s", k)
				}
			}
		}
		h := last.Header
		if h.Get("x-ratelimit-limit-tokens") != "1000" || h.Get("retry-after") == "" || h.Get("retry-after-ms") == "" {
			t.Errorf("429 headers %v", h)
		}
		d, err := time.ParseDuration(h.Get("x-ratelimit-reset-tokens"))
		if err != nil || d <= 0 || d > time.Minute {
			t.Errorf("x-ratelimit-reset-tokens %q", h.Get("x-ratelimit-reset-tokens"))
		}
		// Waiting retry-after-ms makes room again.
		ms, _ := time.ParseDuration(h.Get("retry-after-ms") + "ms")
		time.Sleep(ms)
		resp, err := s.Transport().RoundTrip(mustRequest(t, body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("after retry-after-ms: %d", resp.StatusCode)
		}
	})
}

func TestRateLimitTokens(t *testing.T) {
	s := mock.New(mock.Config{TPM: 500})
	var e errorBody
	for range 100 {
		rec, body := serve(t, s, "POST", mock.PathChat, `{"model":"gpt-4o","messages":[{"role":"user","content":"tokens"}]}`)
		if rec.Code == 429 {
			e = body
			break
		}
	}
	if e.Error.Type != "tokens" || *e.Error.Code != "rate_limit_exceeded" || !strings.Contains(e.Error.Message, "TPM") {
		t.Errorf("429 body %+v", e)
	}
	// A request larger than the whole limit can never pass.
	rec, body := serve(t, s, "POST", mock.PathChat, `{"model":"gpt-4.1","messages":[{"role":"user","content":"`+strings.Repeat("word ", 600)+`"}]}`)
	if rec.Code != 429 || body.Error.Type != "tokens" || !strings.Contains(body.Error.Message, "too large") {
		t.Errorf("oversized request: %d %+v", rec.Code, body)
	}
}

func mustRequest(t *testing.T, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest("POST", mock.BaseURL+"/chat/completions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFaultsSeeded(t *testing.T) {
	run := func(seed int64) []int {
		s := mock.New(mock.Config{FaultRate: 0.5, Faults: []mock.Fault{mock.Fault500, mock.Fault503, mock.Fault429}, Seed: seed})
		var codes []int
		for range 40 {
			rec, _ := serve(t, s, "POST", mock.PathChat, `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}`)
			codes = append(codes, rec.Code)
		}
		return codes
	}
	a, b, c := run(1), run(1), run(2)
	if !equal(a, b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	if equal(a, c) {
		t.Error("different seeds, same faults")
	}
	seen := map[int]int{}
	for _, code := range a {
		seen[code]++
	}
	if seen[200] < 8 || seen[500] == 0 || seen[503] == 0 || seen[429] == 0 {
		t.Errorf("fault mix %v", seen)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultKinds(t *testing.T) {
	req := openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("x")}
	for _, f := range []mock.Fault{mock.Fault500, mock.Fault503, mock.Fault429} {
		s := mock.New(mock.Config{FaultRate: 1, Faults: []mock.Fault{f}})
		_, err := s.Client().CreateChatCompletion(context.Background(), req)
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != map[mock.Fault]int{mock.Fault500: 500, mock.Fault503: 503, mock.Fault429: 429}[f] {
			t.Errorf("%v: %v", f, err)
		}
		if s.Stats().Faults[f.String()] != 1 {
			t.Errorf("%v not counted: %v", f, s.Stats().Faults)
		}
	}

	// Dropped mid-stream: some chunks arrive, then an error that is not io.EOF.
	s := mock.New(mock.Config{FaultRate: 1, Faults: []mock.Fault{mock.FaultDrop}, AnswerTokens: 20})
	sreq := req
	sreq.Stream = true
	st, err := s.Client().CreateChatCompletionStream(context.Background(), sreq)
	if err != nil {
		t.Fatal(err)
	}
	chunks := 0
	for {
		_, err = st.Recv()
		if err != nil {
			break
		}
		chunks++
	}
	st.Close()
	if chunks == 0 || errors.Is(err, io.EOF) {
		t.Errorf("drop: %d chunks then %v; want some chunks then an error", chunks, err)
	}
	// Dropped mid-body: the JSON is cut short.
	if _, err := s.Client().CreateChatCompletion(context.Background(), req); err == nil {
		t.Error("drop: non-streaming call succeeded")
	}

	// Slow first byte: a client with a shorter timeout gives up.
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{FaultRate: 1, Faults: []mock.Fault{mock.FaultSlowFirstByte}, SlowFirstByte: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := s.Client().CreateChatCompletion(ctx, req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("slow first byte: %v", err)
		}
		// A patient client gets the answer a minute late.
		start := time.Now()
		if _, err := s.Client().CreateChatCompletion(context.Background(), req); err != nil || time.Since(start) != time.Minute {
			t.Errorf("patient client: %v after %v", err, time.Since(start))
		}
	})
}

func TestParseFault(t *testing.T) {
	for _, f := range mock.AllFaults() {
		g, err := mock.ParseFault(f.String())
		if err != nil || g != f {
			t.Errorf("ParseFault(%q) = %v, %v", f.String(), g, err)
		}
	}
	if _, err := mock.ParseFault("boom"); err == nil {
		t.Error("ParseFault(boom) gave no error")
	}
	b, _ := json.Marshal(mock.AllFaults())
	if len(b) == 0 {
		t.Error("faults do not marshal")
	}
}
