package pulse

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmperf/workbook/mock"
)

func TestNewFromEnvWithoutKeyIsTheMock(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_MODEL", "")
	up, err := NewFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if up.Mock == nil || up.Name != "mock (in-process)" {
		t.Errorf("without OPENAI_API_KEY: %q, mock %v; want the in-process mock", up.Name, up.Mock != nil)
	}
}

func TestNewFromEnvUsesTheProvider(t *testing.T) {
	const key = "sk-test-never-shown-4711"
	srv := mock.New(mock.Config{})
	var badAuth atomic.Int64 // requests that did not carry the key
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+key {
			badAuth.Add(1)
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	t.Setenv("OPENAI_API_KEY", key)
	t.Setenv("OPENAI_BASE_URL", hs.URL+"/v1")
	t.Setenv("OPENAI_MODEL", "gpt-4.1-mini")
	up, err := NewFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if up.Mock != nil || up.Name != "openai at "+hs.URL+"/v1" || up.Model != "gpt-4.1-mini" {
		t.Fatalf("upstream %q, model %q, in-process mock %v; want the provider at %s/v1", up.Name, up.Model,
			up.Mock != nil, hs.URL)
	}
	res, err := Run(context.Background(), ModeOptimized, up, bytes.NewReader(siteLog(t, 4<<10)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := srv.Stats()
	if res.Requests == 0 || st.ByEndpoint[mock.PathChat] != res.Requests || res.Upstream != up.Name {
		t.Errorf("the run sent %d requests to %q; the server saw %d", res.Requests, res.Upstream,
			st.ByEndpoint[mock.PathChat])
	}
	if n := badAuth.Load(); n != 0 {
		t.Errorf("%d requests did not carry OPENAI_API_KEY", n)
	}
	if int64(res.Summary.PromptTokens) != st.PromptTokens {
		t.Errorf("prompt tokens: the run counted %d, the server %d", res.Summary.PromptTokens, st.PromptTokens)
	}

	t.Setenv("OPENAI_BASE_URL", "ftp://user:"+key+"@example.com")
	if _, err := NewFromEnv(); err == nil || strings.Contains(err.Error(), key) {
		t.Errorf("a bad OPENAI_BASE_URL: error %v; want one that does not show the key", err)
	}
}
