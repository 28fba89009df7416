package pulse

import (
	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/lessons/tokens"
	"net/http"

	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/concurrency"
	openai "github.com/sashabaranov/go-openai"
)

// Upstream is the model a run talks to: a go-openai client, and the in-process mock behind it if there is one.
type Upstream struct {
	Name   string         // "mock (in-process)" or "instant (zero latency)"
	Client *openai.Client // its HTTP client's transport is a concurrency.Transport, so Retry sees retry-after
	Mock   *mock.Server   // nil unless the model is the in-process mock
}

// NewMock returns an Upstream served by a new in-process mock configured by cfg: latency, limits and faults as
// asked, usage counted with the real tokenizer. It works inside testing/synctest bubbles. The tokenizer's tables
// (tens of MiB) are loaded here, so that a run's heap growth is the run's own; they do count in the process's
// peak RSS.
func NewMock(cfg mock.Config) Upstream {
	tokens.Count(llm.DefaultModel, "warm up")
	s := mock.New(cfg)
	return Upstream{Name: "mock (in-process)", Client: client(s.ClientConfig(), s.Transport()), Mock: s}
}

// NewInstant returns an Upstream whose model answers at once with no tokenizer (see Instant): for measuring
// the program itself on logs of GiB.
func NewInstant() Upstream {
	return Upstream{Name: "instant (zero latency)", Client: client(openai.DefaultConfig("instant"), Instant{})}
}

func client(cfg openai.ClientConfig, rt http.RoundTripper) *openai.Client {
	cfg.BaseURL = mock.BaseURL
	cfg.HTTPClient = &http.Client{Transport: &concurrency.Transport{Base: rt}}
	return openai.NewClientWithConfig(cfg)
}
