package concurrencytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Step is one scripted reply of a Script: a status with headers, a connection error, or a body cut short.
type Step struct {
	Status int               // HTTP status; 200 sends a small chat completion, others an OpenAI-style error
	Header map[string]string // extra response headers
	Err    error             // if set, the round trip fails with it (a refused or reset connection)
	Drop   bool              // a 200 whose body ends in the middle (the connection dropped)
	// BodyDelay holds the body back this long after the headers arrive, so concurrent calls' responses overlap.
	BodyDelay time.Duration
}

// ConnReset is the error of a connection reset by the peer, as net/http reports it.
var ConnReset error = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}

// Script is an http.RoundTripper that answers with its Steps in turn (the last one repeats) and records when
// each request arrived. It has no sockets, so it works in synctest bubbles.
type Script struct {
	Steps []Step

	mu    sync.Mutex
	times []time.Time
}

// Attempts returns the arrival time of every request so far.
func (s *Script) Attempts() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.times...)
}

// RoundTrip implements http.RoundTripper.
func (s *Script) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	s.mu.Lock()
	st := s.Steps[min(len(s.times), len(s.Steps)-1)]
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	if st.Err != nil {
		return nil, st.Err
	}
	status := cmp(st.Status, http.StatusOK)
	body := `{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,` +
		`"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}`
	if status >= 400 {
		body = fmt.Sprintf(`{"error":{"message":"scripted %d","type":"scripted","param":null,"code":null}}`, status)
	}
	resp := &http.Response{
		StatusCode: status,
		Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(strings.NewReader(body)),
		Request: req,
	}
	for k, v := range st.Header {
		resp.Header.Set(k, v)
	}
	if st.Drop {
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(body[:len(body)/2]), errReader{io.ErrUnexpectedEOF}))
	}
	if st.BodyDelay > 0 {
		resp.Body = &slowBody{ReadCloser: resp.Body, delay: st.BodyDelay}
	}
	return resp, nil
}

// slowBody sleeps before its first byte.
type slowBody struct {
	io.ReadCloser
	delay time.Duration
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.delay > 0 {
		time.Sleep(b.delay)
		b.delay = 0
	}
	return b.ReadCloser.Read(p)
}

// Router is an http.RoundTripper that sends each request to the Script its prompt names (RouteTo(i) routes to
// Scripts[i]), so concurrent calls through one client each meet their own script.
type Router struct {
	Scripts []*Script
}

// RouteTo is the prompt that Router sends to Scripts[i].
func RouteTo(i int) string { return fmt.Sprintf("route %d", i) }

// RoundTrip implements http.RoundTripper.
func (r *Router) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	var chat struct {
		Messages []struct{ Content string } `json:"messages"`
	}
	i := -1
	if json.Unmarshal(body, &chat) == nil && len(chat.Messages) > 0 {
		fmt.Sscanf(chat.Messages[0].Content, "route %d", &i)
	}
	if i < 0 || i >= len(r.Scripts) {
		return nil, fmt.Errorf("router: no script for %q", body)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return r.Scripts[i].RoundTrip(req)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func cmp(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// ScriptClient is a go-openai client whose requests go through wrap(script).
func ScriptClient(s http.RoundTripper, wrap func(http.RoundTripper) http.RoundTripper) *openai.Client {
	cfg := openai.DefaultConfig("sk-scripted-not-a-key")
	cfg.BaseURL = "http://scripted.invalid/v1"
	var rt http.RoundTripper = s
	if wrap != nil {
		rt = wrap(s)
	}
	cfg.HTTPClient = &http.Client{Transport: rt}
	return openai.NewClientWithConfig(cfg)
}

// statusOf is the HTTP status in a go-openai error, or 0.
func statusOf(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}
