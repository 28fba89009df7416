package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	openai "github.com/sashabaranov/go-openai"
)

// echoKey is an upstream that refuses every request with a 401 whose message quotes the key it was sent, as
// some providers and proxies do, and records where the credentials arrived.
func echoKey(t *testing.T) (*httptest.Server, *[]string) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+"?"+r.URL.RawQuery)
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"message": "Incorrect API key provided: " + key + " (from " + r.URL.String() + ")",
			"type":    "invalid_request_error", "code": "invalid_api_key"}})
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

// TestSentinelKeyNowhere sets a sentinel key and drives every way a call can fail — an upstream that quotes the
// key back in a 401, an unreachable URL with the key inside it (as user info and as a query parameter) — through
// the package's calls and through the go-openai client directly (as notebook 00-start lists models), and finds
// the sentinel in no error, no String and no Settings.
func TestSentinelKeyNowhere(t *testing.T) {
	echo, seen := echoKey(t)
	host := strings.TrimPrefix(echo.URL, "http://")
	for _, tc := range []struct{ name, base string }{
		{"401 quoting the key", echo.URL + "/v1"},
		{"401, key as user info", "http://" + secret + "@" + host + "/v1"},
		{"401, key as query parameter", echo.URL + "/v1?api-key=" + secret},
		{"unreachable, key as user info", "http://user:" + secret + "@127.0.0.1:1/v1"},
		{"unreachable, key as query parameter", "http://127.0.0.1:1/v1?key=" + secret + "&token=" + secret},
		{"unreachable, key in the path", "http://127.0.0.1:1/" + secret + "/v1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("OPENAI_API_KEY", secret)
			t.Setenv("OPENAI_BASE_URL", tc.base)
			c, err := New()
			if err != nil {
				t.Fatal(err)
			}
			s, _ := Env()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var tr metrics.Tracker
			_, _, err1 := c.Chat(ctx, "hello")
			_, _, _, err2 := c.Stream(ctx, "hello")
			_, err3 := c.ChatTracked(ctx, &tr, "x", "hello")
			_, err4 := c.ListModels(ctx) // go-openai directly: no llm.Error around it
			_, err6 := c.Models(ctx)
			_, err5 := c.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: c.Model,
				Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}}})
			shown := []string{c.String(), s.String(), fmt.Sprintf("%+v", tr.Calls())}
			for _, err := range []error{err1, err2, err3, err4, err5, err6} {
				if err == nil {
					t.Fatal("a call succeeded")
				}
				shown = append(shown, err.Error(), fmt.Sprintf("%+v", err))
				var apiErr *openai.APIError
				if errors.As(err, &apiErr) {
					shown = append(shown, apiErr.Message)
				}
			}
			for _, text := range shown {
				if strings.Contains(text, secret) || strings.Contains(text, secret[10:]) {
					t.Errorf("the key is shown: %s", text)
				}
			}
			t.Logf("e.g. %v", err4)
		})
	}
	// The credentials still reach the upstream, where it expects them: the query after the path.
	for _, s := range *seen {
		if strings.Contains(s, "api-key=") && !strings.HasPrefix(s, "/v1/") {
			t.Errorf("query credentials sent as %q, want them after the path", s)
		}
	}
	if want := "/v1/chat/completions?api-key=" + secret; !strings.Contains(strings.Join(*seen, " "), want) {
		t.Errorf("the upstream never got %s; it got %q", want, *seen)
	}
}
