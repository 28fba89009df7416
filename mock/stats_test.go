package mock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

func TestStats(t *testing.T) {
	s := mock.New(mock.Config{})
	c := s.Client()
	ctx := context.Background()
	var prompt, completion int64
	for range 3 {
		resp, err := c.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("hello")})
		if err != nil {
			t.Fatal(err)
		}
		prompt += int64(resp.Usage.PromptTokens)
		completion += int64(resp.Usage.CompletionTokens)
	}
	if _, err := c.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "no-such-model", Messages: userMsg("hello")}); err == nil {
		t.Fatal("unknown model accepted")
	}
	st := s.Stats()
	if st.Requests != 4 || st.ByEndpoint[mock.PathChat] != 4 || st.ByStatus[200] != 3 || st.ByStatus[404] != 1 {
		t.Errorf("counts %+v", st)
	}
	if st.PromptTokens != prompt || st.CompletionTokens != completion || st.InFlight != 0 || st.PeakConcurrent != 1 {
		t.Errorf("tokens/concurrency %+v; want prompt %d completion %d", st, prompt, completion)
	}

	// The same counters over HTTP.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, mock.PathStats, nil))
	var got mock.Stats
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err, rec.Body.String())
	}
	if got.PromptTokens != prompt || got.ByStatus[200] != 3 || got.ByEndpoint[mock.PathChat] != 4 || got.InFlight != 0 {
		t.Errorf("GET %s = %s", mock.PathStats, rec.Body.String())
	}

	s.ResetStats()
	if st := s.Stats(); st.Requests != 0 || st.PromptTokens != 0 || len(st.ByStatus) != 0 || st.PeakConcurrent != 0 {
		t.Errorf("after reset %+v", st)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, mock.PathReset, nil))
	if rec.Code != http.StatusNoContent || s.Stats().Requests != 0 {
		t.Errorf("POST %s: %d, requests %d", mock.PathReset, rec.Code, s.Stats().Requests)
	}
}

// A client that gives up before the first byte is counted as 499, not as a 200 it never got.
func TestStatsClientClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{FaultRate: 1, Faults: []mock.Fault{mock.FaultSlowFirstByte}, SlowFirstByte: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := s.Client().CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("hi")}); err == nil {
			t.Fatal("call succeeded")
		}
		synctest.Wait()
		st := s.Stats()
		if st.ByStatus[mock.StatusClientClosed] != 1 || st.ByStatus[http.StatusOK] != 0 {
			t.Errorf("by status %v; want one 499 and no 200", st.ByStatus)
		}
	})
}
