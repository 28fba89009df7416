package mock

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Config sets how the server behaves. The zero Config is valid: no latency, no limits, no faults.
type Config struct {
	TTFT, InterToken time.Duration // time to first token; time per further output token
	Jitter           float64       // ± fraction of latency, drawn per request from Seed
	TailRate         float64       // probability that a request is in the slow tail…
	TailDelay        time.Duration // …which adds this to its time to first token

	RPM, TPM int // per-model-family limits per minute; 0 = unlimited
	// StartUsed is the fraction (0 to 1) of each family's minute already used when the server starts, as on a
	// key that another process, or the previous run, has been using.
	StartUsed float64

	FaultRate     float64       // probability that a request gets a fault
	Faults        []Fault       // kinds to draw from; empty means all kinds
	SlowFirstByte time.Duration // delay for FaultSlowFirstByte; 0 means 30 s

	Seed int64 // seeds jitter, tail and faults

	// AnswerTokens, if positive, fixes the length of every answer in tokens (before max_tokens cuts it).
	AnswerTokens int
	// MaxBodyBytes limits request bodies; 0 means 8 MiB. Larger bodies get a 413.
	MaxBodyBytes int64

	// MaxConcurrent caps the API requests served at once; 0 means DefaultMaxConcurrent. One more gets a 503
	// with an OpenAI-style body (code "overloaded") and retry-after. With MaxBodyBytes it bounds the memory
	// requests take; the caches are bounded on their own (TokenCacheBytes, and a fixed-size prefix memory).
	MaxConcurrent int
	// TokenCacheBytes bounds the memory of token ids kept so repeated texts are not tokenized again; 0 means
	// 16 MiB.
	TokenCacheBytes int64

	// ReadTimeout bounds the time a client has to send a request's headers and body on a real connection
	// (HTTPServer); 0 means 10 s. A client that stalls is disconnected. IdleTimeout bounds how long a
	// keep-alive connection may wait for its next request; 0 means 2 minutes.
	ReadTimeout, IdleTimeout time.Duration
}

// DefaultMaxConcurrent is MaxConcurrent's default: far more than any lesson runs at once.
const DefaultMaxConcurrent = 1024

// Server is an OpenAI-compatible http.Handler. Create it with New; it is safe for concurrent use.
type Server struct {
	cfg        Config
	seq        atomic.Uint64 // request sequence number, for seeded draws
	ids        atomic.Uint64 // numbers every response's x-request-id
	stats      stats
	limits     limiter
	prefixes   prefixCache
	counts     countCache
	active     atomic.Int64  // API requests being served, for MaxConcurrent
	tokenizing chan struct{} // a slot per request tokenizing: GOMAXPROCS
	fp         string        // system_fingerprint
}

// Validate reports the first setting of c that makes no sense, naming the field.
func (c Config) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Jitter", c.Jitter}, {"TailRate", c.TailRate}, {"FaultRate", c.FaultRate}, {"StartUsed", c.StartUsed}} {
		if !(f.v >= 0 && f.v <= 1) { // also rejects NaN
			return fmt.Errorf("mock: Config.%s = %v, want a fraction between 0 and 1", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"TTFT", c.TTFT}, {"InterToken", c.InterToken}, {"TailDelay", c.TailDelay}, {"SlowFirstByte", c.SlowFirstByte},
		{"ReadTimeout", c.ReadTimeout}, {"IdleTimeout", c.IdleTimeout}} {
		if f.d < 0 {
			return fmt.Errorf("mock: Config.%s = %v, want a duration ≥ 0", f.name, f.d)
		}
	}
	switch {
	case c.RPM < 0:
		return fmt.Errorf("mock: Config.RPM = %d, want ≥ 0 (0 means unlimited)", c.RPM)
	case c.TPM < 0:
		return fmt.Errorf("mock: Config.TPM = %d, want ≥ 0 (0 means unlimited)", c.TPM)
	case c.AnswerTokens < 0:
		return fmt.Errorf("mock: Config.AnswerTokens = %d, want ≥ 0", c.AnswerTokens)
	case c.MaxBodyBytes < 0:
		return fmt.Errorf("mock: Config.MaxBodyBytes = %d, want ≥ 0", c.MaxBodyBytes)
	case c.MaxConcurrent < 0:
		return fmt.Errorf("mock: Config.MaxConcurrent = %d, want ≥ 0 (0 means %d)", c.MaxConcurrent, DefaultMaxConcurrent)
	case c.TokenCacheBytes < 0:
		return fmt.Errorf("mock: Config.TokenCacheBytes = %d, want ≥ 0", c.TokenCacheBytes)
	}
	return nil
}

// New returns a server configured by cfg. It panics with Validate's error when cfg makes no sense (a
// negative latency, a fault rate of 1.5): a mistyped lesson setting should stop the cell, not quietly run
// a different experiment.
func New(cfg Config) *Server {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	if cfg.SlowFirstByte <= 0 {
		cfg.SlowFirstByte = 30 * time.Second
	}
	if len(cfg.Faults) == 0 {
		cfg.Faults = AllFaults()
	}
	cfg.MaxConcurrent = cmp.Or(cfg.MaxConcurrent, DefaultMaxConcurrent)
	cfg.TokenCacheBytes = cmp.Or(cfg.TokenCacheBytes, 16<<20)
	cfg.ReadTimeout = cmp.Or(cfg.ReadTimeout, 10*time.Second)
	cfg.IdleTimeout = cmp.Or(cfg.IdleTimeout, 2*time.Minute)
	s := &Server{cfg: cfg, tokenizing: make(chan struct{}, runtime.GOMAXPROCS(0))}
	s.limits.init(cfg.RPM, cfg.TPM, cfg.StartUsed)
	s.prefixes.init(1 << 16)
	s.counts.init(cfg.TokenCacheBytes)
	s.stats.init()
	s.fp = "fp_" + hex10(mix(uint64(cfg.Seed)^0x6d6f636b))
	return s
}

// Config returns the configuration the server runs with, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// LongestReply is the longest a reply can take to finish under c, from the end of its request: the slow first
// byte (if that fault can be drawn), the slowest time to first token (jitter and tail included) and the longest
// answer at the slowest time per token.
func (c Config) LongestReply() time.Duration {
	scale := 1 + c.Jitter
	answer := minAnswer + spanAnswer - 1
	if c.AnswerTokens > 0 {
		answer = c.AnswerTokens
	}
	d := float64(c.TTFT)*scale + float64(c.TailDelay) + float64(c.InterToken)*scale*float64(answer)
	if c.FaultRate > 0 && (len(c.Faults) == 0 || slices.Contains(c.Faults, FaultSlowFirstByte)) {
		d += float64(cmp.Or(c.SlowFirstByte, 30*time.Second))
	}
	return time.Duration(min(d, float64(math.MaxInt64/2)))
}

// HTTPServer returns an http.Server that serves s with timeouts: the headers must arrive within ReadTimeout, and
// the body too (a client that stalls is disconnected); the reply may take ReadTimeout plus LongestReply plus a
// minute to write (no reply the configuration allows is cut short); an idle keep-alive connection is closed
// after IdleTimeout. Set Addr, or call Serve with a listener.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.ReadTimeout + s.cfg.LongestReply() + time.Minute,
		IdleTimeout:       s.cfg.IdleTimeout,
	}
}

// Endpoint paths.
const (
	PathChat       = "/v1/chat/completions"
	PathEmbeddings = "/v1/embeddings"
	PathModels     = "/v1/models"
	PathStats      = "/mock/stats"
	PathReset      = "/mock/reset"
)

// ServeHTTP routes a request to its endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	endpoint, method := path, ""
	var h func(http.ResponseWriter, *http.Request)
	switch {
	case path == PathChat:
		method, h = http.MethodPost, s.chat
	case path == PathEmbeddings:
		method, h = http.MethodPost, s.embeddings
	case path == PathModels:
		method, h = http.MethodGet, s.models
	case strings.HasPrefix(path, PathModels+"/"):
		endpoint, method, h = PathModels+"/{model}", http.MethodGet, s.model
	case path == PathStats:
		method, h = http.MethodGet, s.serveStats
	case path == PathReset:
		method, h = http.MethodPost, s.serveReset
	default:
		endpoint = "other"
	}
	sw := &statusWriter{ResponseWriter: w}
	sw.Header().Set("x-request-id", s.requestID())
	s.stats.begin(endpoint)
	defer func() {
		code := sw.status()
		if sw.code == 0 && r.Context().Err() != nil {
			code = StatusClientClosed // the client left before any reply, e.g. during a slow first byte
		}
		s.stats.end(code)
	}()

	if strings.HasPrefix(path, "/v1/") {
		if s.active.Add(1) > int64(s.cfg.MaxConcurrent) {
			s.active.Add(-1)
			s.stats.rejected.Add(1)
			setRetryAfter(sw.Header(), time.Second)
			writeError(sw, http.StatusServiceUnavailable, apiError{Message: "The mock is serving its limit of " +
				strconv.Itoa(s.cfg.MaxConcurrent) + " requests at once (MaxConcurrent); try again shortly.",
				Type: "server_error", Code: "overloaded"})
			return
		}
		defer s.active.Add(-1)
	}
	switch {
	case h == nil:
		writeError(sw, http.StatusNotFound, apiError{
			Message: "Invalid URL (" + r.Method + " " + r.URL.Path + ")", Type: "invalid_request_error", Code: "unknown_url"})
	case r.Method != method:
		sw.Header().Set("Allow", method)
		writeError(sw, http.StatusMethodNotAllowed, apiError{
			Message: "Method " + r.Method + " not allowed for " + path + "; use " + method, Type: "invalid_request_error", Code: "method_not_allowed"})
	default:
		h(sw, r)
	}
}

// requestID is a new x-request-id. Both halves depend on the seed and the number, so ids of neighbouring
// responses do not share halves.
func (s *Server) requestID() string {
	n, seed := s.ids.Add(1), uint64(s.cfg.Seed)
	return "req_" + hex10(mix(n+mix(seed))) + hex10(mix(^n^seed))
}

// StatusClientClosed is counted in Stats.ByStatus for a request whose client went away before the server sent
// a status (nginx's 499): it is never sent, since nobody is there to read it.
const StatusClientClosed = 499

// statusWriter remembers the status code for the counters.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
