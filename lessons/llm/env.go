package llm

import (
	"cmp"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/llmperf/workbook/kit/prices"

	"github.com/llmperf/workbook/kit/redact"
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

// Every program that links this package has the key and the base URL's credentials registered with kit/redact
// before main starts, so whatever it shows through that package is scrubbed of them.
func init() { Env() }

// Env reads the provider settings from the environment and registers the key and the credentials of the base
// URL with kit/redact. It fails only when OPENAI_BASE_URL is set but is not an http(s) URL.
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
	redact.Add(s.Key)
	redact.AddURL(s.BaseURL)
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
//
// Credentials in the base URL (user info, query parameters) are kept out of the configuration's BaseURL, so no
// error go-openai or net/http makes can quote them; a transport around rt adds them back to each request to
// the base URL's host (the query parameters after the path, where the server looks for them). Errors and the
// bodies of responses are scrubbed with kit/redact, so neither a URL in an error nor an upstream that quotes
// the key back in a 401 puts it in front of a user.
func (s Settings) Config(rt http.RoundTripper) openai.ClientConfig {
	cfg := openai.DefaultConfig(s.Key)
	if s.BaseURL != "" {
		cfg.BaseURL = s.BaseURL
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	g := &guard{base: rt}
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		g.host, g.user, g.query = u.Host, u.User, u.Query()
		cfg.BaseURL = redact.URL(cfg.BaseURL)
	}
	cfg.HTTPClient = doer{&http.Client{Transport: budgetGuard{next: g, s: s}}}
	return cfg
}

// doer is the HTTP client of Config: it scrubs every error it returns, net/http's own (which quote the URL)
// included. errors.Is and errors.As still see the causes.
type doer struct{ c *http.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	return resp, redact.Error(err)
}

// String names the provider and model, "mock" or "openai at https://api.openai.com/v1", without the key or
// credentials embedded in the base URL.
func (s Settings) String() string {
	if !s.Real() {
		return "mock, model " + s.Model
	}
	return redact.String("openai at " + s.Config(nil).BaseURL + ", model " + s.Model)
}

// guard is the transport of Config: it adds the base URL's credentials to requests for its host, and scrubs
// errors and response bodies.
type guard struct {
	base  http.RoundTripper
	host  string
	user  *url.Userinfo
	query url.Values
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	orig := req
	if req.URL.Host == g.host && (g.user != nil || len(g.query) > 0) {
		req = req.Clone(req.Context())
		if g.user != nil {
			req.URL.User = g.user
		}
		if len(g.query) > 0 {
			q := req.URL.Query()
			for k, vs := range g.query {
				for _, v := range vs {
					q.Add(k, v)
				}
			}
			req.URL.RawQuery = q.Encode()
		}
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil {
		return nil, redact.Error(err)
	}
	resp.Request = orig
	resp.Body = scrubbedBody{redact.NewReader(resp.Body), resp.Body}
	resp.ContentLength = -1 // a masked secret changes the length
	resp.Header.Del("Content-Length")
	return resp, nil
}

type scrubbedBody struct {
	*redact.Reader
	body io.ReadCloser
}

func (b scrubbedBody) Close() error { return b.body.Close() }
