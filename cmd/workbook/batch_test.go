package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
)

// writeRequests writes n requests (every 10th an embeddings request) to a JSONL file, plus the extra lines.
func writeRequests(t *testing.T, path string, n int, extra ...string) {
	t.Helper()
	writeRequestsEvery(t, path, n, 10, extra...)
}

// writeRequestsEvery is writeRequests with an embeddings request every embedEvery lines (0: none).
func writeRequestsEvery(t *testing.T, path string, n, embedEvery int, extra ...string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range n {
		var line map[string]any
		if embedEvery > 0 && i%embedEvery == embedEvery-1 {
			line = map[string]any{"custom_id": fmt.Sprintf("req-%d", i), "method": "POST", "url": "/v1/embeddings",
				"body": map[string]any{"model": "text-embedding-3-small", "input": []string{"site log", fmt.Sprint("entry ", i)}}}
		} else {
			line = map[string]any{"custom_id": fmt.Sprintf("req-%d", i), "method": "POST", "url": "/v1/chat/completions",
				"body": map[string]any{"model": "gpt-4o-mini", "max_tokens": 60,
					"messages": []map[string]string{{"role": "user", "content": fmt.Sprintf("Summarise entry %d of the site log.", i)}}}}
		}
		b, _ := json.Marshal(line)
		w.Write(append(b, '\n'))
	}
	for _, e := range extra {
		w.WriteString(e + "\n")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// result is what the tests read back from a results line.
type result struct {
	ID       string `json:"id"`
	CustomID string `json:"custom_id"`
	Response *struct {
		StatusCode int             `json:"status_code"`
		RequestID  string          `json:"request_id"`
		Body       json.RawMessage `json:"body"`
	} `json:"response"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// readResults reads every line of a results file; every line must be a whole result.
func readResults(t *testing.T, path string) []result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []result
	for i, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%s line %d is not a result: %v: %.200q", path, i+1, err, line)
		}
		out = append(out, r)
	}
	return out
}

// exactlyOnce checks that every id appears once in res, and nothing else does.
func exactlyOnce(t *testing.T, res []result, ids []string) map[string]result {
	t.Helper()
	by := map[string]result{}
	for _, r := range res {
		if _, dup := by[r.CustomID]; dup {
			t.Errorf("custom_id %q appears twice", r.CustomID)
		}
		by[r.CustomID] = r
	}
	for _, id := range ids {
		if _, ok := by[id]; !ok {
			t.Errorf("custom_id %q is missing", id)
		}
	}
	if len(by) != len(ids) {
		t.Errorf("%d distinct custom_ids in the results, want %d", len(by), len(ids))
	}
	return by
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("req-%d", i)
	}
	return out
}

func TestBatchMock(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	writeRequests(t, in, 60,
		`{"custom_id": "bad-method", "method": "GET", "url": "/v1/chat/completions", "body": {}}`,
		`not json at all`,
		``,
		`{"custom_id": "req-3", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", "messages": [{"role": "user", "content": "again"}]}}`,
		`{"custom_id": "unknown-model", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}}`,
		`{"custom_id": "bad-url", "method": "POST", "url": "/v1/completions", "body": {"model": "gpt-4o"}}`,
		`{"custom_id": "streamed", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "x"}]}}`,
	)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"batch", "-in", in, "-out", out, "-upstream", "mock", "-q"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d with malformed lines, want 1\n%s\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{
		`line 61 (custom_id "bad-method"): "method" is "GET"`,
		`line 62: not a JSON object`,
		`line 64: custom_id "req-3" repeats line 4; only line 4 is sent`,
		`line 66 (custom_id "bad-url"): "url" is "/v1/completions"`,
		`line 67 (custom_id "streamed"): body: "stream": true is not supported`,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if !regexp.MustCompile(`estimated cost of the requests to send: \$0\.0\d+ \(\d+ prompt tokens`).MatchString(stdout.String()) {
		t.Errorf("no cost estimate before sending:\n%s", stdout.String())
	}
	all := append(ids(60), "bad-method", "unknown-model", "bad-url", "streamed")
	by := exactlyOnce(t, readResults(t, out), all)
	for _, id := range ids(60) {
		r := by[id]
		if r.Response == nil || r.Response.StatusCode != 200 || r.Error != nil || !strings.HasPrefix(r.Response.RequestID, "req_") {
			t.Errorf("%s: %+v", id, r)
		}
	}
	if r := by["unknown-model"]; r.Response == nil || r.Response.StatusCode != 404 || r.Error == nil {
		t.Errorf("unknown model: %+v, want the 404 response and an error", r)
	}
	if r := by["bad-method"]; r.Response != nil || r.Error == nil || r.Error.Code != "invalid_request" ||
		!strings.Contains(r.Error.Message, "line 61") {
		t.Errorf("malformed line with an id: %+v, want an error result naming the line", r)
	}

	// Run again: nothing left to send, nothing written twice.
	stdout.Reset()
	if code := run(context.Background(), []string{"batch", "-in", in, "-out", out, "-upstream", "mock", "-q"}, &stdout, &stderr); code != 0 {
		t.Errorf("second run: exit %d", code)
	}
	if !strings.Contains(stdout.String(), "nothing to send") {
		t.Errorf("second run: %s", stdout.String())
	}
	exactlyOnce(t, readResults(t, out), all)
}

func TestBatchBadFlags(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeRequests(t, in, 1)
	for _, args := range [][]string{
		{"-in", in},
		{"-in", in, "-out", in},
		{"-in", in, "-out", "x", "-rpm", "100"},
		{"-in", in, "-out", "x", "-budget", "lots"},
		{"-in", in, "-out", "x", "-upstream", "cloud"},
		{"-in", in, "-out", "x", "-workers", "0"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append([]string{"batch"}, args...), &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"batch", "-in", filepath.Join(dir, "none"), "-out", "x", "-upstream", "mock"}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "no such file") {
		t.Errorf("missing input: exit %d, %s", code, stderr.String())
	}
}

// TestBatchTornLastLine: a result cut short by a kill is cut off, and its request sent again.
func TestBatchTornLastLine(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	writeRequests(t, in, 5)
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"batch", "-in", in, "-out", out, "-upstream", "mock", "-q"}, &stdout, &stderr)
	b, _ := os.ReadFile(out)
	lines := bytes.SplitAfter(b, []byte("\n"))
	torn := append(append(append([]byte{}, lines[0]...), lines[1]...), lines[2][:len(lines[2])/2]...)
	os.WriteFile(out, torn, 0o644)
	if code := run(context.Background(), []string{"batch", "-in", in, "-out", out, "-upstream", "mock", "-q"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	exactlyOnce(t, readResults(t, out), ids(5))
	// A broken line in the middle is not a torn write: refuse rather than append after it.
	os.WriteFile(out, append([]byte("garbage\n"), b...), 0o644)
	if code := run(context.Background(), []string{"batch", "-in", in, "-out", out, "-upstream", "mock", "-q"}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "line 1 is not a result line") {
		t.Errorf("garbage in -out: exit %d, %s", code, stderr.String())
	}
}

// TestBatchChild runs batch when the test binary is started as a child process; otherwise it does nothing.
func TestBatchChild(t *testing.T) {
	args := os.Getenv("BATCH_CHILD_ARGS")
	if args == "" {
		t.Skip("only runs as a child process of the batch tests")
	}
	var list []string
	if err := json.Unmarshal([]byte(args), &list); err != nil {
		t.Fatal(err)
	}
	os.Exit(run(context.Background(), append([]string{"batch"}, list...), os.Stdout, os.Stderr))
}

func batchChild(ctx context.Context, args ...string) *exec.Cmd {
	list, _ := json.Marshal(args)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBatchChild$")
	cmd.Env = append(os.Environ(), "BATCH_CHILD_ARGS="+string(list), "OPENAI_API_KEY=")
	return cmd
}

// TestBatchResumesAfterSIGKILL kills a real batch process with SIGKILL three times while it writes, then lets
// it finish: every custom_id is in the results exactly once.
func TestBatchResumesAfterSIGKILL(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	const n = 400
	writeRequests(t, in, n)
	args := []string{"-in", in, "-out", out, "-upstream", "mock", "-mock-ttft", "20ms", "-workers", "8", "-q"}
	lines := func() int {
		b, _ := os.ReadFile(out)
		return bytes.Count(b, []byte("\n"))
	}
	for _, at := range []int{30, 150, 290} {
		cmd := batchChild(context.Background(), args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Minute)
		for lines() < at && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("the child was not killed (it ended first: %v); the test needs a slower run", err)
		}
		t.Logf("killed at %d result lines (the file holds %d bytes)", lines(), fileSize(out))
	}
	cmd := batchChild(context.Background(), args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the last run: %v\n%s", err, b)
	}
	by := exactlyOnce(t, readResults(t, out), ids(n))
	for id, r := range by {
		if r.Response == nil || r.Response.StatusCode != 200 {
			t.Errorf("%s: %+v", id, r)
		}
	}
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// TestBatchBudget: an estimate above -budget sends nothing; spending that reaches it stops the run cleanly with
// the results kept, and a run with more budget sends the rest.
func TestBatchBudget(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	var lines []string
	for i := range 100 { // no max_tokens: the estimate assumes -default-output tokens per answer
		lines = append(lines, fmt.Sprintf(`{"custom_id": "req-%d", "method": "POST", "url": "/v1/chat/completions", `+
			`"body": {"model": "gpt-4o", "messages": [{"role": "user", "content": "Summarise entry %d."}]}}`, i, i))
	}
	writeRequests(t, in, 0, lines...)
	var stdout, stderr bytes.Buffer
	batch := func(extra ...string) int {
		stdout.Reset()
		stderr.Reset()
		args := append([]string{"batch", "-in", in, "-out", out, "-upstream", "mock", "-q", "-workers", "4"}, extra...)
		return run(context.Background(), args, &stdout, &stderr)
	}
	if code := batch("-budget", "0.000001"); code != 1 || !strings.Contains(stderr.String(), "is above -budget $0.000001: nothing sent") ||
		fileSize(out) != 0 {
		t.Fatalf("estimate above the budget: exit %d, %d bytes written, %s", code, fileSize(out), stderr.String())
	}
	// With 5 answer tokens assumed, the estimate is low: answers are 20 to 99 tokens, so spending passes the
	// estimate. A budget of twice the estimate starts, and stops midway.
	batch("-budget", "0.000001", "-default-output", "5")
	m := regexp.MustCompile(`estimated cost of the requests to send: \$([0-9.]+)`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no estimate: %s", stdout.String())
	}
	est, _ := strconv.ParseFloat(m[1], 64)
	budget := fmt.Sprintf("%.9f", 2*est)
	code := batch("-budget", budget, "-default-output", "5")
	got := readResults(t, out)
	if code != 1 || !strings.Contains(stderr.String(), "stopped at -budget") || len(got) == 0 || len(got) == 100 {
		t.Fatalf("budget of twice a low estimate: exit %d, %d results, %s", code, len(got), stderr.String())
	}
	spent := regexp.MustCompile(`spent \$([0-9.]+)`).FindStringSubmatch(stdout.String())
	if s, _ := strconv.ParseFloat(spent[1], 64); s > 2*est || s == 0 {
		t.Errorf("spent $%v with a budget of $%v", s, 2*est)
	}
	if code := batch("-budget", "1"); code != 0 {
		t.Fatalf("the rest: exit %d, %s", code, stderr.String())
	}
	exactlyOnce(t, readResults(t, out), ids(100))
}

// TestBatchProvider: batch talks to any OpenAI-compatible base URL from the environment, and never shows the key,
// also when it sits in the base URL and the server cannot be reached.
func TestBatchProvider(t *testing.T) {
	const key = "sk-sentinel-batch-4711"
	srv := mock.New(mock.Config{})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	t.Setenv("OPENAI_API_KEY", key)
	t.Setenv("OPENAI_BASE_URL", hs.URL+"/v1")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	writeRequests(t, in, 20)
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"batch", "-in", in, "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "to send to openai at "+hs.URL+"/v1") || srv.Stats().Requests != 20 {
		t.Errorf("%d requests reached the server; stdout %s", srv.Stats().Requests, stdout.String())
	}
	exactlyOnce(t, readResults(t, out), ids(20))

	// Unreachable, with the key in the URL's user info and query as some gateways want it.
	t.Setenv("OPENAI_BASE_URL", "http://user:"+key+"@127.0.0.1:1/v1?api-key="+key)
	out2 := filepath.Join(dir, "out2.jsonl")
	stdout.Reset()
	stderr.Reset()
	code := run(context.Background(), []string{"batch", "-in", in, "-out", out2, "-attempts", "1"}, &stdout, &stderr)
	written, _ := os.ReadFile(out2)
	if code != 1 || len(readResults(t, out2)) != 20 {
		t.Errorf("unreachable provider: exit %d, %d results", code, len(readResults(t, out2)))
	}
	for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String(), "results": string(written)} {
		if strings.Contains(text, key) || strings.Contains(text, "user:") {
			t.Errorf("the %s shows the key:\n%s", name, text)
		}
	}
}

// TestBatchLimits: against a mock key whose minute is 99 % used, batch learns the limits from the headers and
// loses nothing, with 429s at most 2 % of the requests.
func TestBatchLimits(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	writeRequests(t, in, 300)
	var stdout, stderr bytes.Buffer
	args := []string{"batch", "-in", in, "-out", out, "-upstream", "mock", "-mock-tpm", "600000", "-mock-rpm", "60000",
		"-mock-start-used", "0.99", "-mock-ttft", "10ms"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	m := regexp.MustCompile(`(\d+) succeeded, (\d+) failed; (\d+) 429s`).FindStringSubmatch(stdout.String())
	if m == nil || m[1] != "300" || m[2] != "0" {
		t.Fatalf("summary: %s", stdout.String())
	}
	if n, _ := strconv.Atoi(m[3]); n > 6 {
		t.Errorf("%d 429s for 300 requests, want at most 2 %%", n)
	}
	if !strings.Contains(stderr.String(), "limit 600000/min") || !strings.Contains(stderr.String(), "tokens in the last minute") {
		t.Errorf("the progress line should show tokens a minute against the learned limit: %s", stderr.String())
	}
	exactlyOnce(t, readResults(t, out), ids(300))
}

// TestBatchMemoryFlat builds the workbook command (without the race detector, whose memory would be measured
// too), runs batch over generated chat requests against the zero-latency mock, and reads its peak RSS: under
// 64 MiB. BATCH_RSS_LINES=1000000 runs the full-size check (tens of minutes on two cores);
// BATCH_RSS_EMBED_EVERY=10 makes every tenth request an embeddings request (a second tokenizer in memory).
func TestBatchMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and sends tens of thousands of requests")
	}
	bin := filepath.Join(t.TempDir(), "workbook")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Skipf("cannot build the command to measure it: %v\n%s", err, out)
	}
	n, embedEvery := 10_000, 0
	if s := os.Getenv("BATCH_RSS_LINES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("BATCH_RSS_EMBED_EVERY"); s != "" {
		embedEvery, _ = strconv.Atoi(s)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	writeRequestsEvery(t, in, n, embedEvery)
	start := time.Now()
	cmd := exec.Command(bin, "batch", "-in", in, "-out", out, "-upstream", "mock", "-q")
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=")
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child's own high-water mark, read while it runs: the rusage of a child started by exec also counts
	// the parent's pages it shared before exec (this test process's, which the race detector makes large).
	var rss int64
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for wait := true; wait; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%v\n%s", err, output.String())
			}
			wait = false
		case <-tick.C:
			rss = max(rss, highWaterMark(cmd.Process.Pid))
		}
	}
	if rss == 0 {
		t.Skip("no /proc/PID/status VmHWM here to read the peak RSS from")
	}
	t.Logf("%d requests in %v, peak RSS %.1f MiB, %d result bytes", n, time.Since(start).Round(time.Millisecond),
		float64(rss)/(1<<20), fileSize(out))
	if rss > 64<<20 {
		t.Errorf("peak RSS %.1f MiB for %d requests, want under 64 MiB", float64(rss)/(1<<20), n)
	}
	if got := len(readResults(t, out)); got != n {
		t.Errorf("%d results for %d requests", got, n)
	}
}

// highWaterMark is the peak resident set size of process pid in bytes, from Linux's /proc/PID/status; 0 if unknown.
func highWaterMark(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}
