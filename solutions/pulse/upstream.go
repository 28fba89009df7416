package pulse

import (
	"net/http"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/concurrency"
	openai "github.com/sashabaranov/go-openai"
)

// Upstream is the model a run talks to: a go-openai client, and the in-process mock behind it if there is one.
type Upstream struct {
	Name   string         // "mock (in-process)", "instant (zero latency)" or "openai at https://…" (never the key)
	Model  string         // the model to ask when Options.Model is empty; empty: llm.DefaultModel
	Client *openai.Client // its HTTP client's transport is a concurrency.Transport, so Retry sees retry-after
	Mock   *mock.Server   // nil unless the model is the in-process mock
}

// NewMock returns an Upstream served by a new in-process mock configured by cfg: latency, limits and faults as
// asked, usage counted with the real tokenizer. It works inside testing/synctest bubbles. The tokenizer's tables
// (tens of MiB) are loaded here, so that a run's heap growth is the run's own; they do count in the process's
// peak RSS.
func NewMock(cfg mock.Config) Upstream {
	return mockUpstream(mock.New(cfg))
}

func mockUpstream(s *mock.Server) Upstream {
	tokens.Count(llm.DefaultModel, "warm up")
	return Upstream{Name: "mock (in-process)", Client: client(s.ClientConfig(), s.Transport()), Mock: s}
}

// NewInstant returns an Upstream whose model answers at once with no tokenizer (see Instant): for measuring
// the program itself on logs of GiB.
func NewInstant() Upstream {
	return Upstream{Name: "instant (zero latency)", Client: client(openai.DefaultConfig("instant"), Instant{})}
}

// NewFromEnv returns the model llm.New chooses from the environment: the provider at OPENAI_BASE_URL (default
// OpenAI's API) with the key OPENAI_API_KEY and the model OPENAI_MODEL when the key is set, or else the
// in-process mock with llm.DefaultMockConfig. Its Name is the llm.Client's String, which never shows the key.
// A bad OPENAI_BASE_URL is an error.
func NewFromEnv() (Upstream, error) {
	s, err := llm.Env()
	if err != nil {
		return Upstream{}, err
	}
	c := llm.NewWith(s)
	if c.Mock != nil {
		up := mockUpstream(c.Mock)
		up.Model = c.Model
		return up, nil
	}
	// The same settings as c, with a transport that lets Retry see retry-after.
	cfg := s.Config(&concurrency.Transport{Base: http.DefaultTransport})
	return Upstream{Name: c.String(), Model: c.Model, Client: openai.NewClientWithConfig(cfg)}, nil
}

func client(cfg openai.ClientConfig, rt http.RoundTripper) *openai.Client {
	cfg.BaseURL = mock.BaseURL
	cfg.HTTPClient = &http.Client{Transport: &concurrency.Transport{Base: rt}}
	return openai.NewClientWithConfig(cfg)
}
