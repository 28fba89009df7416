package mock

import (
	"encoding/json"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
)

// Stats are the server's counters since New or the last ResetStats.
type Stats struct {
	Requests         int64            `json:"requests"`
	ByEndpoint       map[string]int64 `json:"by_endpoint"` // path, such as "/v1/chat/completions"; "other" for unknown paths
	ByStatus         map[int]int64    `json:"by_status"`   // HTTP status sent; 499 (StatusClientClosed): client left first
	PromptTokens     int64            `json:"prompt_tokens"`
	CachedTokens     int64            `json:"cached_tokens"`
	CompletionTokens int64            `json:"completion_tokens"`
	InFlight         int64            `json:"in_flight"`
	PeakConcurrent   int64            `json:"peak_concurrent"`

	// Beyond the contract:
	Faults      map[string]int64 `json:"faults"`       // injected faults by kind
	RateLimited int64            `json:"rate_limited"` // 429s from the RPM/TPM limits (not injected ones)
	Rejected    int64            `json:"rejected"`     // 503s to requests beyond Config.MaxConcurrent
	// Models counts well-formed chat and embedding requests by the model they asked for, as sent. It keeps
	// MaxModelNames names; requests for further names are counted under "other".
	Models map[string]int64 `json:"models"`
}

// MaxModelNames bounds Stats.Models.
const MaxModelNames = 64

type stats struct {
	mu          sync.Mutex
	requests    int64
	byEndpoint  map[string]int64
	byStatus    map[int]int64
	faults      map[string]int64
	models      map[string]int64
	inFlight    atomic.Int64
	peak        atomic.Int64
	prompt      atomic.Int64
	cached      atomic.Int64
	completion  atomic.Int64
	rateLimited atomic.Int64
	rejected    atomic.Int64
}

func (st *stats) init() {
	st.byEndpoint = map[string]int64{}
	st.byStatus = map[int]int64{}
	st.faults = map[string]int64{}
	st.models = map[string]int64{}
}

// model counts a request for model.
func (st *stats) model(model string) {
	st.mu.Lock()
	if _, ok := st.models[model]; !ok && len(st.models) >= MaxModelNames {
		model = "other"
	}
	st.models[model]++
	st.mu.Unlock()
}

func (st *stats) begin(endpoint string) {
	n := st.inFlight.Add(1)
	for {
		p := st.peak.Load()
		if n <= p || st.peak.CompareAndSwap(p, n) {
			break
		}
	}
	st.mu.Lock()
	st.requests++
	st.byEndpoint[endpoint]++
	st.mu.Unlock()
}

func (st *stats) end(status int) {
	st.inFlight.Add(-1)
	st.mu.Lock()
	st.byStatus[status]++
	st.mu.Unlock()
}

func (st *stats) usage(prompt, cached, completion int) {
	st.prompt.Add(int64(prompt))
	st.cached.Add(int64(cached))
	st.completion.Add(int64(completion))
}

func (st *stats) fault(kind Fault) {
	st.mu.Lock()
	st.faults[kind.String()]++
	st.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	st := &s.stats
	st.mu.Lock()
	out := Stats{
		Requests:   st.requests,
		ByEndpoint: maps.Clone(st.byEndpoint),
		ByStatus:   maps.Clone(st.byStatus),
		Faults:     maps.Clone(st.faults),
		Models:     maps.Clone(st.models),
	}
	st.mu.Unlock()
	out.PromptTokens = st.prompt.Load()
	out.CachedTokens = st.cached.Load()
	out.CompletionTokens = st.completion.Load()
	out.InFlight = st.inFlight.Load()
	out.PeakConcurrent = st.peak.Load()
	out.RateLimited = st.rateLimited.Load()
	out.Rejected = st.rejected.Load()
	return out
}

// ResetStats sets the counters back to zero. Requests in flight stay counted in InFlight, and PeakConcurrent
// restarts from them. Rate-limit buckets and the prompt-cache memory are not touched.
func (s *Server) ResetStats() {
	st := &s.stats
	st.mu.Lock()
	st.requests = 0
	clear(st.byEndpoint)
	clear(st.byStatus)
	clear(st.faults)
	clear(st.models)
	st.mu.Unlock()
	st.prompt.Store(0)
	st.cached.Store(0)
	st.completion.Store(0)
	st.rateLimited.Store(0)
	st.rejected.Store(0)
	st.peak.Store(st.inFlight.Load())
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	st := s.Stats()
	// Do not count the stats request itself as in flight.
	st.InFlight--
	body, _ := json.MarshalIndent(st, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(body, '\n'))
}

func (s *Server) serveReset(w http.ResponseWriter, r *http.Request) {
	s.ResetStats()
	w.WriteHeader(http.StatusNoContent)
}
