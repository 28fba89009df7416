package mock_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

type errorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// serve sends one raw request to s and decodes an error body if the status is not 200.
func serve(t *testing.T, s *mock.Server, method, path, body string) (*httptest.ResponseRecorder, errorBody) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	var e errorBody
	if rec.Code != http.StatusOK {
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("error content type %q", ct)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Message == "" || e.Error.Type == "" {
			t.Errorf("%s %s: error body %q is not OpenAI-style (%v)", method, path, rec.Body.String(), err)
		}
	}
	return rec, e
}

func TestBadInput(t *testing.T) {
	s := mock.New(mock.Config{MaxBodyBytes: 1 << 10})
	big := `{"model":"gpt-4o","messages":[{"role":"user","content":"` + strings.Repeat("x", 2000) + `"}]}`
	tests := []struct {
		name, method, path, body string
		status                   int
		param, code              string // "" = do not check
	}{
		{"malformed JSON", "POST", mock.PathChat, `{"model":`, 400, "", ""},
		{"not an object", "POST", mock.PathChat, `[1,2]`, 400, "", ""},
		{"empty body", "POST", mock.PathChat, ``, 400, "", ""},
		{"model wrong type", "POST", mock.PathChat, `{"model":4,"messages":[{"role":"user","content":"x"}]}`, 400, "model", ""},
		{"messages wrong type", "POST", mock.PathChat, `{"model":"gpt-4o","messages":"hi"}`, 400, "messages", ""},
		{"content wrong type", "POST", mock.PathChat, `{"model":"gpt-4o","messages":[{"role":"user","content":5}]}`, 400, "", ""},
		{"unknown part type", "POST", mock.PathChat, `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"video"}]}]}`, 400, "", ""},
		{"missing model", "POST", mock.PathChat, `{"messages":[{"role":"user","content":"x"}]}`, 400, "model", ""},
		{"unknown model", "POST", mock.PathChat, `{"model":"gpt-9","messages":[{"role":"user","content":"x"}]}`, 404, "model", "model_not_found"},
		{"embedding model for chat", "POST", mock.PathChat, `{"model":"text-embedding-3-small","messages":[{"role":"user","content":"x"}]}`, 400, "model", ""},
		{"missing messages", "POST", mock.PathChat, `{"model":"gpt-4o"}`, 400, "messages", ""},
		{"empty messages", "POST", mock.PathChat, `{"model":"gpt-4o","messages":[]}`, 400, "messages", "empty_array"},
		{"bad role", "POST", mock.PathChat, `{"model":"gpt-4o","messages":[{"role":"boss","content":"x"}]}`, 400, "messages[0].role", ""},
		{"max_tokens zero", "POST", mock.PathChat, `{"model":"gpt-4o","max_tokens":0,"messages":[{"role":"user","content":"x"}]}`, 400, "max_tokens", ""},
		{"n too big", "POST", mock.PathChat, `{"model":"gpt-4o","n":99,"messages":[{"role":"user","content":"x"}]}`, 400, "n", ""},
		{"stream_options without stream", "POST", mock.PathChat, `{"model":"gpt-4o","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}`, 400, "stream_options", ""},
		{"body too large", "POST", mock.PathChat, big, 413, "", "request_too_large"},
		{"wrong method", "GET", mock.PathChat, ``, 405, "", "method_not_allowed"},
		{"wrong method models", "DELETE", mock.PathModels, ``, 405, "", ""},
		{"unknown path", "POST", "/v1/completions/nope", `{}`, 404, "", "unknown_url"},
		{"unknown model path", "GET", mock.PathModels + "/gpt-9", ``, 404, "model", "model_not_found"},
		{"embeddings token arrays", "POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":[[1,2,3]]}`, 400, "input", ""},
		{"embeddings empty input", "POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":""}`, 400, "input", ""},
		{"embeddings empty batch", "POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":[]}`, 400, "input", ""},
		{"embeddings missing input", "POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small"}`, 400, "input", ""},
		{"embeddings input number", "POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":3}`, 400, "input", ""},
		{"embeddings too many dimensions", "POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":"x","dimensions":5000}`, 400, "dimensions", ""},
		{"embeddings dimensions on ada", "POST", mock.PathEmbeddings, `{"model":"text-embedding-ada-002","input":"x","dimensions":8}`, 400, "dimensions", ""},
		{"embeddings bad format", "POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":"x","encoding_format":"hex"}`, 400, "encoding_format", ""},
		{"embeddings chat model", "POST", mock.PathEmbeddings, `{"model":"gpt-4o","input":"x"}`, 400, "model", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, e := serve(t, s, tt.method, tt.path, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body.String())
			}
			if tt.param != "" && (e.Error.Param == nil || *e.Error.Param != tt.param) {
				t.Errorf("param %v, want %q: %s", e.Error.Param, tt.param, rec.Body.String())
			}
			if tt.code != "" && (e.Error.Code == nil || *e.Error.Code != tt.code) {
				t.Errorf("code %v, want %q", e.Error.Code, tt.code)
			}
		})
	}
	if st := s.Stats(); st.ByStatus[400] == 0 || st.ByStatus[404] == 0 || st.ByStatus[405] == 0 || st.ByStatus[413] != 1 {
		t.Errorf("status counters %v", st.ByStatus)
	}
}

func TestErrorsInGoOpenAI(t *testing.T) {
	c := mock.New(mock.Config{}).Client()
	_, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: "gpt-9", Messages: userMsg("x")})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %T %v, want *openai.APIError", err, err)
	}
	if apiErr.HTTPStatusCode != 404 || apiErr.Code != "model_not_found" || apiErr.Type != "invalid_request_error" {
		t.Errorf("APIError %+v", apiErr)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg   mock.Config
		field string
	}{
		{mock.Config{Jitter: 1.5}, "Jitter"},
		{mock.Config{FaultRate: -0.1}, "FaultRate"},
		{mock.Config{TailRate: math.NaN()}, "TailRate"},
		{mock.Config{TTFT: -time.Second}, "TTFT"},
		{mock.Config{RPM: -1}, "RPM"},
		{mock.Config{MaxBodyBytes: -1}, "MaxBodyBytes"},
		{mock.Config{MaxConcurrent: -1}, "MaxConcurrent"},
		{mock.Config{TokenCacheBytes: -1}, "TokenCacheBytes"},
		{mock.Config{ReadTimeout: -time.Second}, "ReadTimeout"},
		{mock.Config{IdleTimeout: -1}, "IdleTimeout"},
	} {
		err := tc.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), "Config."+tc.field) {
			t.Errorf("Validate(%+v) = %v, want an error naming %s", tc.cfg, err, tc.field)
		}
	}
	if err := (mock.Config{}).Validate(); err != nil {
		t.Errorf("the zero Config is invalid: %v", err)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("New accepted a fault rate of 2")
		}
	}()
	mock.New(mock.Config{FaultRate: 2})
}
