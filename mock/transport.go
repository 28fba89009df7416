package mock

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	openai "github.com/sashabaranov/go-openai"
)

// Transport returns an http.RoundTripper that serves requests with s in memory: each request runs the handler
// in a goroutine and streams the response body through an io.Pipe, so a streaming reply arrives chunk by chunk
// as it is written. No sockets are involved, so it works inside testing/synctest bubbles, where the latency
// model runs on virtual time. Cancelling a request's context or closing its body ends the handler; once the
// context has ended, reading the body returns the context's error (errors.Is(err, context.DeadlineExceeded)
// holds after a timeout), as with net/http over a real connection.
func (s *Server) Transport() http.RoundTripper { return transport{s} }

// BaseURL is the base URL that ClientConfig uses; any host works with Transport.
const BaseURL = "http://mock.invalid/v1"

// ClientConfig returns a go-openai configuration that talks to s in memory.
func (s *Server) ClientConfig() openai.ClientConfig {
	cfg := openai.DefaultConfig("sk-mock-not-a-real-key")
	cfg.BaseURL = BaseURL
	cfg.HTTPClient = &http.Client{Transport: s.Transport()}
	return cfg
}

// Client returns a go-openai client that talks to s in memory.
func (s *Server) Client() *openai.Client { return openai.NewClientWithConfig(s.ClientConfig()) }

type transport struct{ h http.Handler }

// ErrDropped is the error a reader sees when the server drops the connection (FaultDrop) in memory.
var ErrDropped = fmt.Errorf("mock: connection dropped: %w", io.ErrUnexpectedEOF)

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	sr := req.Clone(ctx)
	sr.RequestURI = req.URL.RequestURI()
	sr.RemoteAddr = "127.0.0.1:1"
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	if sr.Host == "" {
		sr.Host = req.URL.Host
	}
	pr, pw := io.Pipe()
	rw := &pipeResponse{header: http.Header{}, pw: pw, ready: make(chan struct{})}
	done := make(chan struct{})

	go func() {
		defer func() {
			if req.Body != nil {
				req.Body.Close()
			}
			p := recover()
			switch {
			case p == nil:
				rw.WriteHeader(http.StatusOK)
				// A handler that stopped because the request's context ended leaves the reader that error, as a
				// real connection does; CloseWithError(nil) is a clean EOF.
				pw.CloseWithError(context.Cause(req.Context()))
			case p == http.ErrAbortHandler:
				rw.dropped = true
				rw.WriteHeader(http.StatusOK)
				pw.CloseWithError(ErrDropped)
			default:
				rw.panicked = fmt.Errorf("mock: handler panic: %v", p)
				rw.WriteHeader(http.StatusInternalServerError)
				pw.CloseWithError(rw.panicked)
			}
			close(done)
			cancel()
		}()
		t.h.ServeHTTP(rw, sr)
	}()
	// A request cancelled by its client ends the response, as a closed connection would: the body's reader
	// gets the context's error (context.Canceled, context.DeadlineExceeded or the cause), never a bare EOF.
	// Closing the writer side makes that the error every later Read returns; a handler still writing gets
	// io.ErrClosedPipe and stops.
	go func() {
		select {
		case <-req.Context().Done():
			pw.CloseWithError(context.Cause(req.Context()))
			cancel()
		case <-done:
		}
	}()

	select {
	case <-rw.ready:
	case <-req.Context().Done():
		return nil, context.Cause(req.Context())
	}
	if rw.headerless {
		pr.Close()
		if rw.panicked != nil {
			return nil, rw.panicked
		}
		return nil, ErrDropped
	}
	resp := &http.Response{
		Status:        strconv.Itoa(rw.code) + " " + http.StatusText(rw.code),
		StatusCode:    rw.code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rw.sent,
		Body:          &pipeBody{pr: pr, cancel: cancel, done: done},
		ContentLength: -1,
		Request:       req,
	}
	if n, err := strconv.ParseInt(rw.sent.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	return resp, nil
}

// pipeResponse is the http.ResponseWriter of an in-memory request.
type pipeResponse struct {
	header     http.Header
	pw         *io.PipeWriter
	once       sync.Once
	ready      chan struct{} // closed when the status and headers are known
	code       int
	sent       http.Header // header as of WriteHeader
	headerless bool        // the handler dropped the connection or panicked before WriteHeader
	dropped    bool
	panicked   error
}

func (p *pipeResponse) Header() http.Header { return p.header }

func (p *pipeResponse) WriteHeader(code int) {
	if code < 200 && code >= 100 {
		return // informational; not passed on
	}
	p.once.Do(func() {
		p.code = code
		p.sent = p.header.Clone()
		p.headerless = p.dropped || p.panicked != nil
		close(p.ready)
	})
}

func (p *pipeResponse) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.pw.Write(b)
}

// Flush does nothing: every Write is handed to the reader directly.
func (p *pipeResponse) Flush() {}

type pipeBody struct {
	pr     *io.PipeReader
	cancel context.CancelFunc
	done   <-chan struct{} // closed when the handler has returned
}

func (b *pipeBody) Read(p []byte) (int, error) { return b.pr.Read(p) }

// Close ends the response and waits for the handler to return (it stops at its next write, or when it sees its
// context end), so that what the handler counts after writing — the status, the tokens, the request no longer in
// flight — is in Stats by the time the client's call returns: go-openai closes the body before it does.
func (b *pipeBody) Close() error {
	b.pr.Close()
	b.cancel()
	<-b.done
	return nil
}
