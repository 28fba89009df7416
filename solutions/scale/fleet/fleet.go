// Package fleet measures several `workbook batch` processes against one standalone `workbook mock`: the course's
// "one key, many processes" measurement, run by notebook 07-scale and by this package's benchmark.
//
// Measure starts the mock as its own process (limited at the key's RPM and TPM, answers of a fixed length so
// every request's tokens are known before it is sent), writes each batch process its own file of requests,
// starts them together — sharing the limit and a cache through Redis (-redis), or each with a limiter of its
// own told the same limits — and while they run samples the mock's counters and each process's results. It
// reports what the mock admitted over time, what each process got over time, the 429s, and how close the run
// came to the best possible time as notebook 04 defines it: the key's first-minute allowance at once, the rest
// at the limit's rate, so the last request cannot be sent before (tokens − allowance) / TPM.
package fleet

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// Config is one measurement.
type Config struct {
	Workbook  string // the workbook binary (Build makes one)
	Dir       string // a folder for the requests, results and logs
	Processes int    // batch processes
	// Prompts[p] are process p's prompts, one request each (temperature 0, Answer tokens each).
	Prompts [][]string
	Answer  int // tokens of every answer (max_tokens, and the mock's fixed answer length)
	// RPM and TPM are the key's limits: the mock enforces them, and every process is told them.
	RPM, TPM int
	TTFT     time.Duration // the mock's time to first token
	Redis    string        // a Redis URL: the processes share the limit and a cache (-redis); "": each alone
	// Learn runs processes that are not told the limits: each learns them from the provider's replies, as
	// batch does by default. (With Redis they are always told: the shared limiter needs them.)
	Learn   bool
	Workers int           // requests in flight per process; 0: 8
	Sample  time.Duration // how often to sample the counters; 0: 250 ms
	// During, if set, runs in its own goroutine once the processes have started (to kill Redis, say); the
	// measurement waits for it to return. Its context ends when the processes have.
	During func(ctx context.Context)
}

// Run is what a measurement saw.
type Run struct {
	At        []time.Duration // sample times, from the start
	Admitted  []int64         // tokens the mock had admitted (prompt + completion) by each sample
	PerProc   [][]int64       // tokens each process had got answers for, by each sample
	Limited   []int64         // 429s the mock had sent by each sample
	Processes []Summary
	Logs      []string // each process's output (its warnings, its summary line)
	RPM, TPM  int      // the key's limits
	// Tokens is what the mock admitted in all; Requests the chat requests it received, RateLimited those it
	// refused with a 429, Answered the others.
	Tokens, Requests, RateLimited, Answered int64
	// FirstSent and LastSent are when the mock received the first and the last request it answered, from the
	// start; Best is the best possible time for the last one; Took is when the last process ended.
	FirstSent, LastSent, Best, Took time.Duration
}

// Efficiency is Best over the time the last request was really sent, counted from the first (1 = as fast as the
// limits allow).
func (r *Run) Efficiency() float64 {
	if r.LastSent <= r.FirstSent {
		return 1
	}
	return min(1, float64(r.Best)/float64(r.LastSent-r.FirstSent))
}

// Summary is one batch process's summary line.
type Summary struct {
	OK, Failed, Limited, Cached int
	Line                        string
}

// Build compiles the workbook command into dir (the module's root is root) and returns its path.
func Build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "workbook")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/workbook")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("fleet: go build ./cmd/workbook: %v\n%s", err, out)
	}
	return bin, nil
}

// Measure runs the measurement.
func Measure(ctx context.Context, cfg Config) (*Run, error) {
	if cfg.Processes < 1 || len(cfg.Prompts) != cfg.Processes || cfg.Answer < 1 || cfg.RPM < 1 || cfg.TPM < 1 {
		return nil, errors.New("fleet: Config needs Processes ≥ 1, Prompts for each, Answer, RPM and TPM")
	}
	if cfg.Workers == 0 {
		cfg.Workers = 8
	}
	if cfg.Sample == 0 {
		cfg.Sample = 250 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m, err := startMock(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer m.stop()

	outs := make([]string, cfg.Processes)
	cmds := make([]*exec.Cmd, cfg.Processes)
	logs := make([]*bytes.Buffer, cfg.Processes)
	for p := range cmds {
		in := filepath.Join(cfg.Dir, fmt.Sprintf("requests-%d.jsonl", p))
		outs[p] = filepath.Join(cfg.Dir, fmt.Sprintf("results-%d.jsonl", p))
		os.Remove(outs[p])
		if err := writeRequests(in, cfg.Prompts[p], cfg.Answer); err != nil {
			return nil, err
		}
		args := []string{"batch", "-in", in, "-out", outs[p], "-upstream", "env", "-workers", strconv.Itoa(cfg.Workers), "-q"}
		if !cfg.Learn || cfg.Redis != "" {
			args = append(args, "-rpm", strconv.Itoa(cfg.RPM), "-tpm", strconv.Itoa(cfg.TPM))
		}
		if cfg.Redis != "" {
			args = append(args, "-redis", cfg.Redis)
		}
		cmds[p] = exec.CommandContext(ctx, cfg.Workbook, args...)
		cmds[p].Env = append(os.Environ(), "OPENAI_BASE_URL="+m.base, "OPENAI_API_KEY=fleet-measurement",
			"OPENAI_MODEL=gpt-4o-mini")
		logs[p] = &bytes.Buffer{}
		cmds[p].Stdout, cmds[p].Stderr = logs[p], logs[p]
	}

	run := &Run{PerProc: make([][]int64, cfg.Processes), RPM: cfg.RPM, TPM: cfg.TPM}
	start := time.Now()
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			return nil, err
		}
	}
	type exit struct {
		p   int
		err error
	}
	done := make(chan exit, len(cmds))
	for p, c := range cmds {
		go func() { done <- exit{p, c.Wait()} }()
	}
	var during sync.WaitGroup
	if cfg.During != nil {
		dctx, stop := context.WithCancel(ctx)
		defer func() { stop(); during.Wait() }()
		during.Go(func() { cfg.During(dctx) })
	}
	tails := make([]*tail, cfg.Processes)
	for p := range tails {
		tails[p] = &tail{path: outs[p]}
	}
	sample := func() error {
		st, err := m.stats(ctx)
		if err != nil {
			return err
		}
		run.At = append(run.At, time.Since(start))
		run.Admitted = append(run.Admitted, st.PromptTokens+st.CompletionTokens)
		run.Limited = append(run.Limited, st.RateLimited)
		for p, t := range tails {
			run.PerProc[p] = append(run.PerProc[p], t.read())
		}
		return nil
	}
	tick := time.NewTicker(cfg.Sample)
	defer tick.Stop()
	errs := make([]error, len(cmds))
	for running := len(cmds); running > 0; {
		select {
		case e := <-done:
			running--
			errs[e.p] = e.err
		case <-tick.C:
			if err := sample(); err != nil {
				return nil, err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	run.Took = time.Since(start)
	if err := sample(); err != nil {
		return nil, err
	}
	for p, l := range logs {
		run.Logs = append(run.Logs, l.String())
		s, err := summaryOf(l.String())
		if err != nil {
			return nil, fmt.Errorf("fleet: process %d: %v (exit: %v)", p, err, errs[p])
		}
		run.Processes = append(run.Processes, s)
	}
	st, err := m.stats(ctx)
	if err != nil {
		return nil, err
	}
	run.Tokens, run.RateLimited = st.PromptTokens+st.CompletionTokens, st.RateLimited
	run.Requests = st.ByEndpoint["/v1/chat/completions"]
	run.Answered = run.Requests - run.RateLimited
	first, last, err := m.sent(start)
	if err != nil {
		return nil, err
	}
	run.FirstSent, run.LastSent = first, last
	byTokens := float64(run.Tokens-int64(cfg.TPM)) / float64(cfg.TPM)
	byRequests := float64(run.Answered-int64(cfg.RPM)) / float64(cfg.RPM)
	run.Best = time.Duration(max(byTokens, byRequests, 0) * float64(time.Minute))
	return run, nil
}

// Tokens is what one request of prompt costs at admission, and uses: the prompt and an answer of answer tokens.
func Tokens(prompt string, answer int) int {
	return tokens.CountChat("gpt-4o-mini", []openai.ChatCompletionMessage{{Role: "user", Content: prompt}}) + answer
}

func writeRequests(path string, prompts []string, answer int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i, p := range prompts {
		line, _ := json.Marshal(map[string]any{"custom_id": fmt.Sprintf("req-%d", i), "method": "POST",
			"url": "/v1/chat/completions", "body": map[string]any{"model": "gpt-4o-mini", "max_tokens": answer,
				"temperature": 0, "messages": []map[string]string{{"role": "user", "content": p}}}})
		w.Write(append(line, '\n'))
	}
	return errors.Join(w.Flush(), f.Close())
}

var (
	summaryRE = regexp.MustCompile(`(\d+) succeeded, (\d+) failed; (\d+) 429s waited out`)
	cachedRE  = regexp.MustCompile(`(\d+) answered from the shared cache`)
)

// summaryOf reads a batch process's summary line from its output.
func summaryOf(log string) (Summary, error) {
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	for _, line := range strings.Split(log, "\n") {
		m := summaryRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := Summary{OK: n(m[1]), Failed: n(m[2]), Limited: n(m[3]), Line: line}
		if c := cachedRE.FindStringSubmatch(line); c != nil {
			s.Cached = n(c[1])
		}
		return s, nil
	}
	return Summary{}, fmt.Errorf("no summary line in its output: %s", strings.TrimSpace(log))
}

// tail reads the result lines appended to a file since its last read and sums their tokens.
type tail struct {
	path   string
	off    int64
	tokens int64
	rest   []byte
}

func (t *tail) read() int64 {
	f, err := os.Open(t.path)
	if err != nil {
		return t.tokens
	}
	defer f.Close()
	f.Seek(t.off, io.SeekStart)
	b, _ := io.ReadAll(f)
	t.off += int64(len(b))
	b = append(t.rest, b...)
	last := bytes.LastIndexByte(b, '\n')
	t.rest = append([]byte(nil), b[last+1:]...)
	for _, line := range bytes.Split(b[:last+1], []byte("\n")) {
		var r struct {
			Response *struct {
				Body struct {
					Usage struct {
						TotalTokens int64 `json:"total_tokens"`
					} `json:"usage"`
				} `json:"body"`
			} `json:"response"`
		}
		if json.Unmarshal(line, &r) == nil && r.Response != nil {
			t.tokens += r.Response.Body.Usage.TotalTokens
		}
	}
	return t.tokens
}

// standalone is the mock, run as its own process.
type standalone struct {
	cmd  *exec.Cmd
	base string
	log  *lockedBuffer // -v: one line per request
	done chan struct{}
}

func startMock(ctx context.Context, cfg Config) (*standalone, error) {
	cmd := exec.CommandContext(ctx, cfg.Workbook, "mock", "-addr", "127.0.0.1:0", "-rpm", strconv.Itoa(cfg.RPM),
		"-tpm", strconv.Itoa(cfg.TPM), "-ttft", cfg.TTFT.String(), "-answer-tokens", strconv.Itoa(cfg.Answer), "-v")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	m := &standalone{cmd: cmd, log: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = m.log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { cmd.Wait(); close(m.done) }()
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "mock OpenAI server listening on "); ok {
			m.base = strings.TrimSpace(rest)
			break
		}
	}
	if m.base == "" {
		m.stop()
		return nil, fmt.Errorf("fleet: the mock did not say where it listens: %s", m.log.String())
	}
	go io.Copy(io.Discard, out)
	return m, nil
}

func (m *standalone) stop() {
	m.cmd.Process.Kill()
	<-m.done
}

func (m *standalone) stats(ctx context.Context) (mock.Stats, error) {
	var st mock.Stats
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(m.base, "/v1")+mock.PathStats, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, fmt.Errorf("fleet: the mock's counters: %w", err)
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

var logLine = regexp.MustCompile(`(?m)^(\d\d:\d\d:\d\d\.\d{3}) POST /v1/chat/completions 200 `)

// sent reads from the mock's log when the first and the last answered request arrived, after start.
func (m *standalone) sent(start time.Time) (first, last time.Duration, err error) {
	y, mo, d := start.Date()
	for _, match := range logLine.FindAllStringSubmatch(m.log.String(), -1) {
		at, err := time.ParseInLocation("15:04:05.000", match[1], start.Location())
		if err != nil {
			continue
		}
		h, mi, s := at.Clock()
		t := time.Date(y, mo, d, h, mi, s, at.Nanosecond(), start.Location()).Sub(start.Truncate(time.Millisecond))
		if first == 0 || t < first {
			first = t
		}
		last = max(last, t)
	}
	if last == 0 {
		return 0, 0, errors.New("fleet: the mock answered no chat request")
	}
	return first, last, nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
