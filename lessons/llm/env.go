package llm

import (
	"cmp"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/llmperf/workbook/kit/prices"

	openai "github.com/sashabaranov/go-openai"
)

// Settings are what the environment says about the provider. Env reads them; it is the only place in the course
// that reads OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL and LLMPERF_BUDGET.
type Settings struct {
	Key     string // OPENAI_API_KEY; "" selects the in-process mock. Never printed.
	BaseURL string // OPENAI_BASE_URL; "" means OpenAI's own API
	Model   string // OPENAI_MODEL, or DefaultModel
	// Budget is what one process may spend on a real provider: LLMPERF_BUDGET in dollars, or DefaultBudget
	// (also when zero). See Check and Config.
	Budget prices.Money
}

// Env reads the provider settings from the environment. It fails only when OPENAI_BASE_URL is set but is not
// an http(s) URL.
func Env() (Settings, error) {
	s := Settings{
		Key:     os.Getenv("OPENAI_API_KEY"),
		BaseURL: os.Getenv("OPENAI_BASE_URL"),
		Model:   cmp.Or(os.Getenv("OPENAI_MODEL"), DefaultModel),
		Budget:  DefaultBudget,
	}
	if v := os.Getenv(BudgetVar); v != "" {
		b, err := prices.ParseDollars(v)
		if err != nil || b < 0 {
			return Settings{}, &Error{Op: BudgetVar, Msg: "must be an amount of dollars such as 0.50, got " + strconv.Quote(v)}
		}
		s.Budget = b
	}
	if s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Settings{}, &Error{Op: "OPENAI_BASE_URL", Msg: "must be an http(s) URL such as https://api.openai.com/v1"}
		}
	}
	return s, nil
}

// Real reports whether the settings select a real provider (a key is set) rather than the mock.
func (s Settings) Real() bool { return s.Key != "" }

// Config is the go-openai configuration for the real provider the settings name, with rt as the HTTP
// transport (nil: http.DefaultTransport). Every request that costs money first passes the budget guard: it is
// refused when the process's estimated spending would pass the budget (see Check).
func (s Settings) Config(rt http.RoundTripper) openai.ClientConfig {
	cfg := openai.DefaultConfig(s.Key)
	if s.BaseURL != "" {
		cfg.BaseURL = s.BaseURL
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	cfg.HTTPClient = &http.Client{Transport: budgetGuard{next: rt, s: s}}
	return cfg
}

// String names the provider and model, "mock" or "openai at https://api.openai.com/v1", without the key or
// credentials embedded in the base URL.
func (s Settings) String() string {
	if !s.Real() {
		return "mock, model " + s.Model
	}
	return "openai at " + displayURL(s.Config(nil).BaseURL) + ", model " + s.Model
}
