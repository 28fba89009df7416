package scale_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redislocal"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/scale"
	"github.com/redis/go-redis/v9"
	openai "github.com/sashabaranov/go-openai"
)

// The cross-process tests start this test binary again as child processes (TestMain runs the role its
// environment names instead of the tests), against one real redis-server and one mock served over HTTP by the
// test itself, so the mock's counters see every process.

const childEnv = "SCALE_TEST_CHILD"

// job is what a child is told to do.
type job struct {
	Role     string // "send", "dedup" or "lead-and-hang"
	Redis    string // URL
	Mock     string // base URL, ending in /v1
	Name     string // the limit's name
	Requests int    // send: requests to send
	Workers  int    // send: at once
	Process  int    // this child's number, for distinct prompts
	Clients  int    // dedup: independent clients (each its own connection pool and cache)
	Limits   scale.Limits
	LockTTL  time.Duration
	Prompt   string // dedup, lead-and-hang: the one request everyone sends
	// Estimates of the requests, counted by the test (a child that counts loads a tokenizer: a second each).
	Estimates []int
}

// report is what a child says when it ends.
type report struct {
	OK, Failed, Limited int            // send: requests succeeded, failed; 429s seen
	Sources             map[string]int // dedup: answers by source
	Answers             map[string]int // dedup: distinct answers
	Shared              bool           // send: the limiter works through Redis at the end
	Processes           int            // send: how many processes Redis said share the limit
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		redis.SetLogger(quiet{}) // go-redis logs every failed dial; the package's one warning says it all
		var j job
		if err := json.Unmarshal([]byte(spec), &j); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		rep, err := runChild(j)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(rep)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func runChild(j job) (report, error) {
	switch j.Role {
	case "send":
		return childSend(j)
	case "dedup":
		return childDedup(j)
	case "lead-and-hang":
		return childLeadAndHang(j)
	}
	return report{}, fmt.Errorf("unknown role %q", j.Role)
}

// answerTokens is the length of every answer the tests' mocks give (before max_completion_tokens cuts it).
const answerTokens = 40

// request is the chat request number i of process p: distinct prompts, answers of 40 tokens.
func request(p, i int) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{Model: "gpt-4o-mini", MaxCompletionTokens: 40, Temperature: 0.001,
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: fmt.Sprintf("Process %d asks question %d about the site log.", p, i)}}}
}

func client(base string) *openai.Client {
	cfg := openai.DefaultConfig("test")
	cfg.BaseURL = base
	cfg.HTTPClient = &http.Client{Transport: &concurrency.Transport{Base: http.DefaultTransport}}
	return openai.NewClientWithConfig(cfg)
}

// childSend sends Requests requests, Workers at a time, through a shared Limiter and a Sender.
func childSend(j job) (report, error) {
	rdb, err := scale.Connect(j.Redis)
	if err != nil {
		return report{}, err
	}
	defer rdb.Close()
	lim, err := scale.NewLimiter(rdb, j.Limits, scale.Options{Name: j.Name, RetryEvery: 200 * time.Millisecond})
	if err != nil {
		return report{}, err
	}
	c := client(j.Mock)
	var mu sync.Mutex
	rep := report{}
	s := &concurrency.Sender{Limiter: lim, Backoff: concurrency.Backoff{Base: 50 * time.Millisecond, Cap: time.Second, MaxAttempts: 8},
		OnAttempt: func(a concurrency.Attempt) {
			if a.Status == http.StatusTooManyRequests {
				mu.Lock()
				rep.Limited++
				mu.Unlock()
				fmt.Fprintf(os.Stderr, "%s 429: %v\n", a.Start.Format("15:04:05.000000"), a.Err)
			}
		}}
	if err := ready(); err != nil {
		return report{}, err
	}
	ctx := context.Background()
	jobs := make([]func(context.Context) (string, error), j.Requests)
	for i := range jobs {
		req := request(j.Process, i)
		jobs[i] = func(ctx context.Context) (string, error) {
			return "", s.Send(ctx, j.Estimates[i], func(ctx context.Context) (int, error) {
				resp, err := c.CreateChatCompletion(ctx, req)
				return resp.Usage.TotalTokens, err
			})
		}
	}
	res, _ := concurrency.Batch(ctx, j.Workers, concurrency.CollectAll, jobs)
	for _, r := range res {
		if r.Err != nil {
			rep.Failed++
			fmt.Fprintln(os.Stderr, "request failed:", r.Err)
		} else {
			rep.OK++
		}
	}
	rep.Shared, rep.Processes = lim.Shared(), lim.Processes()
	return rep, nil
}

// childDedup makes Clients independent clients (each with its own Redis connections and Cache, as a process of
// its own would have), says "ready", waits for "go" on stdin, then has them all send Prompt at once.
func childDedup(j job) (report, error) {
	type one struct {
		c     *scale.Client
		cache *scale.Cache
	}
	all := make([]one, j.Clients)
	for i := range all {
		rdb, err := scale.Connect(j.Redis)
		if err != nil {
			return report{}, err
		}
		defer rdb.Close()
		cache := scale.NewCache(rdb, scale.CacheOptions{Prefix: j.Name, LockTTL: j.LockTTL})
		defer cache.Close()
		// Warm up: subscribe (a first Do on a key of its own) before saying ready.
		if _, _, err := cache.Do(context.Background(), fmt.Sprintf("warm-%d-%d", j.Process, i), func(context.Context) ([]byte, error) {
			return []byte("x"), nil
		}); err != nil {
			return report{}, err
		}
		all[i] = one{scale.NewClient(client(j.Mock), cache, caching.CacheDeterministic), cache}
	}
	if err := ready(); err != nil {
		return report{}, err
	}
	req := dedupRequest(j.Prompt)
	rep := report{Sources: map[string]int{}, Answers: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, o := range all {
		wg.Go(func() {
			resp, src, err := o.c.Complete(context.Background(), req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				rep.Failed++
				fmt.Fprintln(os.Stderr, "dedup:", err)
				return
			}
			rep.OK++
			rep.Sources[src.String()]++
			rep.Answers[resp.Choices[0].Message.Content]++
		})
	}
	wg.Wait()
	return rep, nil
}

// dedupRequest is the request the dedup children send.
func dedupRequest(prompt string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{Model: "gpt-4o-mini", Temperature: 0.001, MaxCompletionTokens: 40,
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: prompt}}}
}

// ready says "ready" and waits for "go" on stdin: children that start together do their work together.
func ready() error {
	fmt.Println("ready")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil || line != "go\n" {
		return fmt.Errorf("waiting for go: %q %v", line, err)
	}
	return nil
}

// startAll starts children with jobs, waits until each is ready, and lets them all go at once.
func startAll(t *testing.T, jobs ...job) []*child {
	t.Helper()
	children := make([]*child, len(jobs))
	for i, j := range jobs {
		children[i] = startChild(t, j)
	}
	for _, c := range children {
		c.expect(t, "ready")
	}
	for _, c := range children {
		io.WriteString(c.stdin, "go\n")
	}
	return children
}

// childLeadAndHang takes the lead for Prompt and never finishes: it says "leading" once its fill runs, and
// waits to be killed.
func childLeadAndHang(j job) (report, error) {
	rdb, err := scale.Connect(j.Redis)
	if err != nil {
		return report{}, err
	}
	cache := scale.NewCache(rdb, scale.CacheOptions{Prefix: j.Name, LockTTL: j.LockTTL})
	cache.Do(context.Background(), j.Prompt, func(ctx context.Context) ([]byte, error) {
		fmt.Println("leading")
		select {}
	})
	return report{}, nil
}

// child is one running child process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *lockedWriter
}

func startChild(t *testing.T, j job) *child {
	t.Helper()
	spec, _ := json.Marshal(j)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	c := &child{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(out), stderr: &lockedWriter{w: &strings.Builder{}}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return c
}

// expect reads the child's next line and fails unless it is want.
func (c *child) expect(t *testing.T, want string) {
	t.Helper()
	line, err := c.stdout.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != want {
		c.cmd.Wait()
		t.Fatalf("child said %q (%v), want %q; its stderr: %s", line, err, want, c.stderr)
	}
}

// wait waits for the child to end and returns its report.
func (c *child) wait(t *testing.T) report {
	t.Helper()
	var rep report
	derr := json.NewDecoder(c.stdout).Decode(&rep)
	if err := c.cmd.Wait(); err != nil || derr != nil {
		t.Fatalf("child: %v, report: %v; its stderr: %s", err, derr, c.stderr)
	}
	return rep
}

type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// serveMock serves a mock over HTTP for the children; its counters see them all.
func serveMock(t *testing.T, cfg mock.Config) (*mock.Server, string) {
	t.Helper()
	m := mock.New(cfg)
	hs := httptest.NewServer(m)
	t.Cleanup(hs.Close)
	return m, hs.URL + "/v1"
}

func startRedis(t *testing.T) *redislocal.Server { return redislocal.Test(t) }
