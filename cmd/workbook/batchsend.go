package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/kit/progress"
	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/concurrency"
	openai "github.com/sashabaranov/go-openai"
)

// maxReply is the largest reply body batch keeps (an embeddings reply of 2,048 inputs can pass it).
const maxReply = 32 << 20

// batchUpstream is where the requests go.
type batchUpstream struct {
	name    string // for messages: never the key, never credentials in the URL
	base    string // the base URL, ending in /v1 as OpenAI's does
	key     string // sent as the bearer token, never printed
	client  *http.Client
	secrets []string // scrubbed from everything batch prints or writes
}

func (f *batchFlags) newUpstream() (*batchUpstream, error) {
	s, err := llm.Env()
	if err != nil {
		return nil, err
	}
	use := f.upstream
	if use == "auto" {
		use = "mock"
		if s.Real() {
			use = "env"
		}
	}
	if use == "env" {
		if !s.Real() {
			return nil, usageError{errors.New("-upstream env needs OPENAI_API_KEY (and, for a server other than OpenAI's, OPENAI_BASE_URL)")}
		}
		base := s.Config(nil).BaseURL
		u := &batchUpstream{name: s.String(), base: strings.TrimSuffix(base, "/"), key: s.Key,
			client: &http.Client{Transport: &concurrency.Transport{Base: http.DefaultTransport}}}
		u.secrets = append(u.secrets, s.Key)
		if p, err := url.Parse(base); err == nil {
			if p.User != nil {
				pw, _ := p.User.Password()
				u.secrets = append(u.secrets, p.User.String(), url.PathEscape(p.User.Username()), p.User.Username(), pw)
			}
			for _, vs := range p.Query() {
				u.secrets = append(u.secrets, vs...)
			}
		}
		return u, nil
	}
	cfg := mock.Config{TTFT: f.mockTTFT, RPM: f.mockRPM, TPM: f.mockTPM, StartUsed: f.mockUsed, FaultRate: f.mockFaultRate,
		Faults: []mock.Fault{mock.Fault500, mock.Fault503, mock.FaultDrop}, Seed: 1,
		// A batch sends each request once (retries aside): a cache of token counts would fill with texts that
		// never come back, 16 MiB of them by default, in the same process as batch (TestBatchMemoryFlat).
		TokenCacheBytes: 1 << 20}
	if err := cfg.Validate(); err != nil {
		return nil, usageError{err}
	}
	srv := mock.New(cfg)
	name := "the in-process mock"
	if f.mockRPM > 0 || f.mockTPM > 0 {
		name += fmt.Sprintf(" (%d RPM, %d TPM per model)", f.mockRPM, f.mockTPM)
	}
	return &batchUpstream{name: name, base: mock.BaseURL,
		client: &http.Client{Transport: &concurrency.Transport{Base: srv.Transport()}}}, nil
}

// mentionsSecret reports whether b holds any secret of the provider settings.
func (u *batchUpstream) mentionsSecret(b []byte) bool {
	for _, sec := range u.secrets {
		if len(sec) >= 4 && bytes.Contains(b, []byte(sec)) {
			return true
		}
	}
	return false
}

// redact removes every secret of the provider settings from s.
func (u *batchUpstream) redact(s string) string {
	for _, sec := range u.secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

func (u *batchUpstream) redactErr(err error) error {
	if err == nil {
		return nil
	}
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return redactedError{u.redact(err.Error()), err}
}

// reply is the last response one request got.
type reply struct {
	status    int
	requestID string
	body      []byte
}

// post sends one request body and returns the response. A status other than 2xx comes back as an
// *openai.APIError too, so that concurrency.Sender can tell a 429 from a 500 from a 400.
func (u *batchUpstream) post(ctx context.Context, r *batchRequest, last *reply) (replyUsage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.base+strings.TrimPrefix(r.url, "/v1"), bytes.NewReader(r.body))
	if err != nil {
		return replyUsage{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if u.key != "" {
		req.Header.Set("Authorization", "Bearer "+u.key)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return replyUsage{}, err
	}
	defer resp.Body.Close()
	buf := bytes.NewBuffer(make([]byte, 0, min(max(resp.ContentLength, 512), maxReply)+1))
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, maxReply+1))
	body := buf.Bytes()
	if err != nil {
		return replyUsage{}, err
	}
	if len(body) > maxReply {
		return replyUsage{}, fmt.Errorf("the reply is larger than %d MiB", maxReply>>20)
	}
	*last = reply{status: resp.StatusCode, requestID: resp.Header.Get("x-request-id"), body: body}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e openai.ErrorResponse
		apiErr := &openai.APIError{HTTPStatusCode: resp.StatusCode, Message: strings.TrimSpace(string(body[:min(len(body), 300)]))}
		if json.Unmarshal(body, &e) == nil && e.Error != nil {
			apiErr = e.Error
			apiErr.HTTPStatusCode = resp.StatusCode
		}
		return replyUsage{}, apiErr
	}
	var got struct {
		Usage struct {
			PromptTokens        int `json:"prompt_tokens"`
			CompletionTokens    int `json:"completion_tokens"`
			TotalTokens         int `json:"total_tokens"`
			PromptTokensDetails *struct {
				CachedTokens int `json:"cached_tokens"`
			} `json:"prompt_tokens_details"`
		} `json:"usage"`
	}
	json.Unmarshal(body, &got) // a reply without usage is charged its estimate
	us := replyUsage{prompt: got.Usage.PromptTokens, completion: got.Usage.CompletionTokens, total: got.Usage.TotalTokens}
	if d := got.Usage.PromptTokensDetails; d != nil {
		us.cached = d.CachedTokens
	}
	return us, nil
}

// send is the second pass: it sends every request still to send, f.workers at a time, through a limiter and a
// concurrency.Sender, and appends a result line for each to -out as it finishes.
func (f *batchFlags) send(ctx context.Context, up *batchUpstream, plan *batchPlan, table prices.Table, stderr io.Writer) (*batchStats, error) {
	stats := &batchStats{start: time.Now(), overrun: 1}
	out, err := os.OpenFile(f.out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return stats, err
	}
	lim := concurrency.NewAdaptiveLimiter()
	if f.rpm > 0 {
		if lim, err = concurrency.NewLimiter(f.rpm, f.tpm, f.tpm); err != nil {
			out.Close()
			return stats, usageError{err}
		}
	}
	var admitter interface {
		concurrency.Admitter
		limiterLimits
	} = lim
	var shared *batchShared
	if f.redis != "" {
		if shared, err = f.openShared(ctx, up, stderr); err != nil {
			out.Close()
			return stats, err
		}
		defer shared.close()
		admitter = shared.lim
	}
	sender := &concurrency.Sender{Limiter: admitter,
		Backoff: concurrency.Backoff{Base: 200 * time.Millisecond, Cap: 20 * time.Second, MaxAttempts: f.attempts},
		OnAttempt: func(a concurrency.Attempt) {
			if a.Status == http.StatusTooManyRequests {
				stats.mu.Lock()
				stats.limited++
				stats.mu.Unlock()
			}
		}}

	results := make(chan []byte, 2*f.workers)
	writeErr := make(chan error, 1)
	go func() { writeErr <- writeResults(out, results) }()

	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	jobs := make(chan *batchRequest, f.workers)
	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		readErr <- f.eachLine(func(n int, r *batchRequest, id string, lerr error) {
			if readCtx.Err() != nil || plan.dupLines[n] > 0 || id == "" || plan.done.has(id) {
				return
			}
			if lerr != nil { // malformed, but it has an id: its result says why
				select {
				case results <- errorResult(id, "invalid_request", up.redact(lineError{n, "", lerr}.Error())):
				case <-readCtx.Done():
				}
				return
			}
			select {
			case jobs <- r:
			case <-readCtx.Done():
			}
		})
	}()

	bar := f.startProgress(stats, plan, admitter, stderr)
	var wg sync.WaitGroup
	for range f.workers {
		wg.Go(func() {
			for r := range jobs {
				f.sendOne(ctx, up, sender, shared, table, r, stats, results, stopReading)
			}
		})
	}
	wg.Wait()
	bar()
	close(results)
	werr := <-writeErr
	rerr := <-readErr
	stats.mu.Lock()
	stats.cancelled = ctx.Err() != nil
	stats.mu.Unlock()
	return stats, errors.Join(werr, rerr)
}

// sendOne sends one request and queues its result, unless the budget is spent or the run was interrupted.
func (f *batchFlags) sendOne(ctx context.Context, up *batchUpstream, sender *concurrency.Sender, shared *batchShared, table prices.Table,
	r *batchRequest, stats *batchStats, results chan<- []byte, stopReading func()) {
	price, priced := table.Lookup(r.model)
	est := price.Cost(r.prompt, 0, r.maxOut)
	stats.mu.Lock()
	// A request without max_tokens can cost more than its estimate: reserve as much more as the worst so far did.
	est = prices.Money(float64(est) * stats.overrun)
	if stats.budgetStop || ctx.Err() != nil {
		stats.mu.Unlock()
		return
	}
	if f.budget > 0 && stats.spent+stats.reserved+est > f.budget {
		stats.budgetStop = true
		stats.mu.Unlock()
		stopReading()
		return
	}
	stats.reserved += est
	stats.mu.Unlock()

	rctx := ctx
	if f.timeout > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	var last reply
	var used replyUsage
	send := func(ctx context.Context) error {
		return sender.Send(ctx, r.estimate(), func(ctx context.Context) (int, error) {
			var err error
			used, err = up.post(ctx, r, &last)
			return used.total, err
		})
	}
	hit := false
	var err error
	if shared != nil {
		hit, err = shared.do(rctx, r, &last, send)
	} else {
		err = send(rctx)
	}
	cost := est
	if hit {
		cost = 0
	}
	if err == nil && used.total > 0 && priced == nil {
		cost = price.Cost(used.prompt, used.cached, used.completion)
	}
	stats.mu.Lock()
	stats.reserved -= est
	if ctx.Err() != nil { // interrupted: not written, so the next run sends it again
		stats.mu.Unlock()
		return
	}
	stats.done++
	if hit {
		stats.cached++
	}
	if err == nil {
		stats.ok++
		stats.spent += cost
		if est > 0 {
			stats.overrun = max(stats.overrun, float64(cost)/float64(est)*stats.overrun)
		}
		stats.addTokens(max(used.total, 0))
	} else {
		stats.failed++
	}
	stats.mu.Unlock()

	var line []byte
	switch {
	case err == nil:
		line = responseResult(r.customID, last, nil, up)
	case last.status != 0:
		line = responseResult(r.customID, last, err, up)
	default:
		code := "request_failed"
		if errors.Is(err, context.DeadlineExceeded) {
			code = "timeout"
		}
		line = errorResult(r.customID, code, up.redact(err.Error()))
	}
	results <- line
}

// resultLine is one line of the output, in the Batch API's output format.
type resultLine struct {
	ID       string       `json:"id"`
	CustomID string       `json:"custom_id"`
	Response *resultReply `json:"response"`
	Error    *resultError `json:"error"`
}

type resultReply struct {
	StatusCode int             `json:"status_code"`
	RequestID  string          `json:"request_id"`
	Body       json.RawMessage `json:"body"`
}

type resultError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func batchReqID(customID string) string { return fmt.Sprintf("batch_req_%016x", idHash(customID)) }

// responseResult is the result line of a request that got a response, err saying why it failed (nil: it did
// not). The body goes in as it came, compacted onto the one line (a provider may pretty-print it), unless it is
// not JSON; either way without the provider's secrets, in case it quotes them back.
func responseResult(customID string, last reply, err error, up *batchUpstream) []byte {
	b := make([]byte, 0, len(last.body)+len(customID)+160)
	b = append(b, `{"id":"`...)
	b = append(b, batchReqID(customID)...)
	b = append(b, `","custom_id":`...)
	b = appendJSON(b, customID)
	b = append(b, `,"response":{"status_code":`...)
	b = strconv.AppendInt(b, int64(last.status), 10)
	b = append(b, `,"request_id":`...)
	b = appendJSON(b, last.requestID)
	b = append(b, `,"body":`...)
	body := last.body
	if up.mentionsSecret(body) {
		body = []byte(up.redact(string(body)))
	}
	buf := bytes.NewBuffer(b)
	if json.Compact(buf, body) != nil {
		buf.Truncate(len(b))
		buf.Write(appendJSON(nil, string(body)))
	}
	b = append(buf.Bytes(), '}')
	if err != nil {
		b = append(b, `,"error":{"code":"request_failed","message":`...)
		b = appendJSON(b, up.redact(err.Error()))
		b = append(b, "}}\n"...)
		return b
	}
	return append(b, ",\"error\":null}\n"...)
}

func appendJSON(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

func errorResult(customID, code, msg string) []byte {
	b, _ := json.Marshal(resultLine{ID: batchReqID(customID), CustomID: customID, Error: &resultError{Code: code, Message: msg}})
	return append(b, '\n')
}

// writeResults appends each line to out in whole lines, buffered, flushed at least every 200 ms. A process killed
// mid-write leaves at most a torn last line, which the next run cuts off.
func writeResults(out *os.File, lines <-chan []byte) error {
	w := bufio.NewWriterSize(out, 64<<10)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var err error
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				err = errors.Join(err, w.Flush(), out.Close())
				return err
			}
			if w.Available() < len(line) && w.Buffered() > 0 {
				err = errors.Join(err, w.Flush())
			}
			if _, werr := w.Write(line); werr != nil && err == nil {
				err = werr
			}
		case <-tick.C:
			if w.Buffered() > 0 {
				if ferr := w.Flush(); ferr != nil && err == nil {
					err = ferr
				}
			}
		}
	}
}

// startProgress draws a progress line on stderr — requests done, tokens a minute against the limit, 429s, time
// left — redrawn in place on a terminal, every 10 s otherwise; the returned func draws the last one.
func (f *batchFlags) startProgress(stats *batchStats, plan *batchPlan, lim limiterLimits, stderr io.Writer) func() {
	if f.quiet {
		return func() {}
	}
	live := isTerminal(stderr)
	line := func() string {
		stats.mu.Lock()
		defer stats.mu.Unlock()
		_, tpm := lim.Limits()
		limit := "limit not known yet"
		switch {
		case tpm >= 1e9:
			limit = "no limit"
		case tpm > 0:
			limit = fmt.Sprintf("limit %.0f/min", tpm)
		}
		return fmt.Sprintf("%s  %d tokens in the last minute (%s)  429s %d  failed %d",
			progress.Text("batch", stats.done, plan.pending, time.Since(stats.start), 24), stats.perMinute(), limit,
			stats.limited, stats.failed)
	}
	every := 10 * time.Second
	if live {
		every = 500 * time.Millisecond
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if live {
					fmt.Fprintf(stderr, "\r%s\x1b[K", line())
				} else {
					fmt.Fprintln(stderr, line())
				}
			case <-stop:
				return
			}
		}
	}()
	return func() {
		close(stop)
		<-stopped
		if live {
			fmt.Fprintf(stderr, "\r%s\x1b[K\n", line())
		} else {
			fmt.Fprintln(stderr, line())
		}
	}
}
