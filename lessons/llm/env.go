package llm

import (
	"cmp"
	"net/http"
	"net/url"
	"os"

	openai "github.com/sashabaranov/go-openai"
)

// Settings are what the environment says about the provider. Env reads them; it is the only place in the course
// that reads OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL.
type Settings struct {
	Key     string // OPENAI_API_KEY; "" selects the in-process mock. Never printed.
	BaseURL string // OPENAI_BASE_URL; "" means OpenAI's own API
	Model   string // OPENAI_MODEL, or DefaultModel
}

// Env reads the provider settings from the environment. It fails only when OPENAI_BASE_URL is set but is not
// an http(s) URL.
func Env() (Settings, error) {
	s := Settings{
		Key:     os.Getenv("OPENAI_API_KEY"),
		BaseURL: os.Getenv("OPENAI_BASE_URL"),
		Model:   cmp.Or(os.Getenv("OPENAI_MODEL"), DefaultModel),
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
// transport (nil: http.DefaultTransport).
func (s Settings) Config(rt http.RoundTripper) openai.ClientConfig {
	cfg := openai.DefaultConfig(s.Key)
	if s.BaseURL != "" {
		cfg.BaseURL = s.BaseURL
	}
	if rt != nil {
		cfg.HTTPClient = &http.Client{Transport: rt}
	}
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
