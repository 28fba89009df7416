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
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redislocal"
	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// writeProcessRequests writes n chat requests of process p (temperature 0, so cacheable; prompts differ by
// process unless p < 0) and returns their tokens at admission, prompt plus max_tokens.
func writeProcessRequests(t *testing.T, path string, p, n int) int {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	total := 0
	for i := range n {
		content := fmt.Sprintf("Process %d: summarise entry %d of the site log.", p, i)
		if p < 0 {
			content = fmt.Sprintf("Summarise entry %d of the site log.", i)
		}
		line, _ := json.Marshal(map[string]any{"custom_id": fmt.Sprintf("req-%d", i), "method": "POST", "url": "/v1/chat/completions",
			"body": map[string]any{"model": "gpt-4o-mini", "max_tokens": 60, "temperature": 0,
				"messages": []map[string]string{{"role": "user", "content": content}}}})
		w.Write(append(line, '\n'))
		total += tokens.CountChat("gpt-4o-mini", []openai.ChatCompletionMessage{{Role: "user", Content: content}}) + 60
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return total
}

// batchOn is a batch child process whose provider is the mock at base (through OPENAI_BASE_URL).
func batchOn(base string, args ...string) *exec.Cmd {
	list, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchChild$")
	cmd.Env = append(os.Environ(), "BATCH_CHILD_ARGS="+string(list), "OPENAI_API_KEY=sk-batch-redis-test-key",
		"OPENAI_BASE_URL="+base)
	return cmd
}

var summaryRE = regexp.MustCompile(`(\d+) succeeded, (\d+) failed; (\d+) 429s waited out.*; (\d+) answered from the shared cache`)

// summaryOf reads a batch run's summary line: succeeded, failed, 429s, cached.
func summaryOf(t *testing.T, out []byte) [4]int {
	t.Helper()
	m := summaryRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line in: %s", out)
	}
	var s [4]int
	for i := range s {
		s[i], _ = strconv.Atoi(string(m[i+1]))
	}
	return s
}

// TestBatchRedisFourProcesses: four batch processes told the key's whole limits share them through -redis
// against one mock limited at those limits: nothing lost, no 429, and together they use more than the first
// minute's allowance (alone, each would have taken a whole allowance).
func TestBatchRedisFourProcesses(t *testing.T) {
	srv := redislocal.Test(t)
	dir := t.TempDir()
	const procs, each = 4, 40
	total := 0
	for p := range procs {
		total += writeProcessRequests(t, filepath.Join(dir, fmt.Sprintf("in%d.jsonl", p)), p, each)
	}
	tpm := total * 60 / 63 // the allowance, then 3 s at the limit's rate
	const rpm = 60_000
	m := mock.New(mock.Config{RPM: rpm, TPM: tpm, TTFT: 20 * time.Millisecond, AnswerTokens: 60, Seed: 1})
	hs := httptest.NewServer(m)
	defer hs.Close()
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*bytes.Buffer, procs)
	for p := range cmds {
		outs[p] = &bytes.Buffer{}
		cmds[p] = batchOn(hs.URL+"/v1", "-in", filepath.Join(dir, fmt.Sprintf("in%d.jsonl", p)),
			"-out", filepath.Join(dir, fmt.Sprintf("out%d.jsonl", p)), "-upstream", "env", "-redis", srv.URL(),
			"-rpm", strconv.Itoa(rpm), "-tpm", strconv.Itoa(tpm), "-workers", "8", "-q")
		cmds[p].Stdout, cmds[p].Stderr = outs[p], outs[p]
		if err := cmds[p].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", p, err, outs[p])
		}
		s := summaryOf(t, outs[p].Bytes())
		if s[0] != each || s[1] != 0 || s[2] != 0 {
			t.Errorf("process %d: %d succeeded, %d failed, %d 429s; want %d, 0, 0:\n%s", p, s[0], s[1], s[2], each, outs[p])
		}
		exactlyOnce(t, readResults(t, filepath.Join(dir, fmt.Sprintf("out%d.jsonl", p))), ids(each))
	}
	st := m.Stats()
	used := int(st.PromptTokens + st.CompletionTokens)
	t.Logf("4 batch processes: %d tokens against %d TPM, %d 429s", used, tpm, st.RateLimited)
	if used != total || st.RateLimited != 0 {
		t.Errorf("the mock saw %d tokens (want %d) and refused %d requests (want 0)", used, total, st.RateLimited)
	}
}

// TestBatchRedisSharedCache: a second batch process sending the same file gets every answer from the shared
// cache the first one filled: no request reaches the provider twice, and the results are the same.
func TestBatchRedisSharedCache(t *testing.T) {
	srv := redislocal.Test(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	const n = 30
	writeProcessRequests(t, in, -1, n)
	m := mock.New(mock.Config{Seed: 1})
	hs := httptest.NewServer(m)
	defer hs.Close()
	run := func(out string) [4]int {
		cmd := batchOn(hs.URL+"/v1", "-in", in, "-out", out, "-upstream", "env", "-redis", srv.URL(), "-rpm", "60000",
			"-tpm", "10000000", "-q")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		if bytes.Contains(b, []byte("sk-batch-redis-test-key")) {
			t.Errorf("the output shows the key: %s", b)
		}
		return summaryOf(t, b)
	}
	first, second := run(filepath.Join(dir, "a.jsonl")), run(filepath.Join(dir, "b.jsonl"))
	calls := m.Stats().ByEndpoint["/v1/chat/completions"]
	t.Logf("first process: %d from the cache; second: %d from the cache; %d upstream calls", first[3], second[3], calls)
	if first[3] != 0 || second[3] != n || calls != n || second[0] != n {
		t.Errorf("first %v, second %v, %d upstream calls: want the second to get all %d answers from the cache", first, second, calls, n)
	}
	a := exactlyOnce(t, readResults(t, filepath.Join(dir, "a.jsonl")), ids(n))
	b := exactlyOnce(t, readResults(t, filepath.Join(dir, "b.jsonl")), ids(n))
	for id, r := range a {
		if b[id].Response == nil || r.Response == nil || !bytes.Equal(b[id].Response.Body, r.Response.Body) {
			t.Errorf("%s: the cached answer differs from the first one", id)
		}
	}
}

// TestBatchRedisBadFlags: -redis needs the limits; a Redis that does not answer is a clear error, before
// anything is sent; a URL that is not one says so without quoting it.
func TestBatchRedisBadFlags(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	writeProcessRequests(t, in, 0, 3)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-redis", "redis://127.0.0.1:1/0"}, "-redis needs -rpm and -tpm"},
		{[]string{"-redis", "redis://127.0.0.1:1/0", "-rpm", "60", "-tpm", "6000"}, "Redis does not answer"},
		{[]string{"-redis", "http://user:hunter2hunter2@x/", "-rpm", "60", "-tpm", "6000"}, "not a Redis URL"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"batch", "-in", in, "-out", out, "-upstream", "mock", "-q"}, c.args...)
		if code := run(context.Background(), args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, %s; want an error saying %q", c.args, code, stderr.String(), c.want)
		}
		if strings.Contains(stderr.String()+stdout.String(), "hunter2") {
			t.Errorf("%v: the output shows the password: %s", c.args, stderr.String())
		}
	}
	if b, _ := os.ReadFile(out); len(b) > 0 {
		t.Errorf("something was written to -out: %s", b)
	}
}

// TestBatchLimitName: processes with different API keys on one provider keep limits apart, and the name shows
// neither the key nor credentials in the base URL.
func TestBatchLimitName(t *testing.T) {
	a := &batchUpstream{base: "https://user:pw@api.example.com/v1?key=sk-in-url", key: "sk-first-key-0123456789"}
	b := &batchUpstream{base: a.base, key: "sk-second-key-0123456789"}
	if a.limitName() == b.limitName() {
		t.Errorf("two keys share the limit %q", a.limitName())
	}
	for _, name := range []string{a.limitName(), b.limitName()} {
		if !strings.HasPrefix(name, "api.example.com/v1 key#") || strings.Contains(name, "sk-") || strings.Contains(name, "pw") {
			t.Errorf("limit name %q: want the host and path and a fingerprint of the key, nothing secret", name)
		}
	}
}
