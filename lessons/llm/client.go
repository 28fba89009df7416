package llm

import (
	"io"
	"time"

	"github.com/llmperf/workbook/kit/redact"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// DefaultModel is the model a Client uses when OPENAI_MODEL is not set.
const DefaultModel = openai.GPT4oMini

// Client is a go-openai client plus what it talks to.
type Client struct {
	*openai.Client
	Provider string       // "mock" or "openai"
	Model    string       // the model Chat and Stream ask for
	Mock     *mock.Server // the in-process server; nil for a real provider

	baseURL  string   // shown by String, credentials removed
	key      string   // only to scrub it from errors; never printed
	settings Settings // what the client was made from: the budget for Check; zero for the mock
}

// DefaultMockConfig is the mock New uses: the shape of a gpt-4o-class model, ten times faster so notebooks
// stay quick.
//
// Published measurements put time to first token around 0.4–0.8 s and output at 60–120 tokens/s (about 10 ms a
// token). Scaled by 1/10: TTFT 50 ms and 1 ms per further token, so a 200-token answer takes about a quarter
// of a second. Jitter ±25% keeps latencies from being identical, and one request in 50 lands in a slow tail
// 0.5 s later (5 s real-world scale) — enough that p99 differs visibly from p50. No rate limits or faults: the
// weeks that need them pass their own mock.Config to NewMock.
func DefaultMockConfig() mock.Config {
	return mock.Config{
		TTFT:       50 * time.Millisecond,
		InterToken: time.Millisecond,
		Jitter:     0.25,
		TailRate:   0.02,
		TailDelay:  500 * time.Millisecond,
		Seed:       1,
	}
}

// New returns a client for the provider the environment selects (see the package comment and Env). It fails
// only when OPENAI_BASE_URL is set but is not an http(s) URL.
func New() (*Client, error) {
	s, err := Env()
	if err != nil {
		return nil, err
	}
	return NewWith(s), nil
}

// NewWith returns a client for the provider s names: the in-process mock with DefaultMockConfig when s has no
// key, the real provider otherwise.
func NewWith(s Settings) *Client {
	if !s.Real() {
		c := NewMock(DefaultMockConfig())
		c.Model = s.Model
		return c
	}
	cfg := s.Config(nil)
	return &Client{
		Client:   openai.NewClientWithConfig(cfg),
		Provider: "openai",
		Model:    s.Model,
		baseURL:  cfg.BaseURL, // without credentials: see Settings.Config
		key:      s.Key,
		settings: s,
	}
}

// NewMock returns a client of a new in-process mock server configured by cfg, whatever the environment says.
// The model is DefaultModel; set c.Model to change it.
func NewMock(cfg mock.Config) *Client {
	s := mock.New(cfg)
	return &Client{
		Client:   openai.NewClientWithConfig(s.ClientConfig()),
		Provider: "mock",
		Model:    DefaultModel,
		Mock:     s,
	}
}

// Check is Settings.Check for this client's provider and model: before calls to a real provider, it prints
// their estimated cost to w and refuses them with an error when they would pass the budget. For the mock it
// prints nothing and returns nil.
//
//	if err := c.Check(os.Stdout, llm.Plan{Calls: 20, Prompt: prompt}); err != nil {
//		fmt.Println(err) // what is wrong, and how to raise the budget
//		return
//	}
func (c *Client) Check(w io.Writer, p Plan) error {
	if c.Mock != nil {
		return nil
	}
	s := c.settings
	s.Model = c.Model
	return s.Check(w, p)
}

// String names the provider: "mock (in-process)" or "openai at https://api.openai.com/v1". It never contains
// the API key, nor credentials embedded in OPENAI_BASE_URL.
func (c *Client) String() string {
	if c == nil {
		return "llm client <nil>"
	}
	if c.Mock != nil {
		return "mock (in-process)"
	}
	return redact.String(c.Provider + " at " + c.baseURL)
}
