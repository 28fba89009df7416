package mock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// distinctPrompt is prompt number i of about size bytes: no two share more than a few leading tokens.
func distinctPrompt(i, size int) string {
	words := []string{"concrete", "rebar", "crane", "pour", "delay", "inspection", "scaffold", "weather"}
	var b strings.Builder
	fmt.Fprintf(&b, "prompt %d: ", i)
	for j := 0; b.Len() < size; j++ {
		fmt.Fprintf(&b, "%s %d ", words[(i*7+j)%len(words)], i*1000003+j)
	}
	return b.String()
}

// liveHeap is the heap's live bytes right after a collection.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// send sends body to path on s in memory and returns the status, discarding the reply.
func send(t testing.TB, s *mock.Server, path, body string) int {
	t.Helper()
	req, err := http.NewRequest("POST", "http://mock.invalid"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Transport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func chatBody(prompt string) string {
	b, _ := json.Marshal(map[string]any{"model": "gpt-4o-mini", "max_tokens": 5,
		"messages": []map[string]string{{"role": "user", "content": prompt}}})
	return string(b)
}

// Distinct large prompts do not grow the mock's memory past its configured bounds: after the token cache has
// filled, the live heap stays flat however many more prompts arrive. (Before the bound, the token cache kept
// every one of its 4,096 most recent texts, at several times their size.)
//
// The heap is measured in a fresh process (this test binary, run again for this test alone): in this one, what
// earlier tests left behind is freed at odd times and moves the live heap by megabytes.
func TestMemoryFlatUnderDistinctPrompts(t *testing.T) {
	if os.Getenv("MOCK_MEMORY_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryFlatUnderDistinctPrompts$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "MOCK_MEMORY_CHILD=1")
		out, err := cmd.CombinedOutput()
		for line := range strings.Lines(string(out)) {
			if _, msg, ok := strings.Cut(line, "memory_test.go:"); ok {
				t.Log("in a fresh process: " + strings.TrimSpace(msg[strings.Index(msg, " ")+1:]))
			}
		}
		if err != nil {
			t.Fatalf("the measuring process: %v\n%s", err, out)
		}
		return
	}
	const size, warm, total = 10 << 10, 20, 60
	s := mock.New(mock.Config{TokenCacheBytes: 160 << 10})
	send(t, s, mock.PathChat, chatBody("load the tokenizer"))
	var afterWarm uint64
	for i := range total {
		if code := send(t, s, mock.PathChat, chatBody(distinctPrompt(i, size))); code != 200 {
			t.Fatalf("prompt %d: status %d", i, code)
		}
		if i == warm-1 {
			afterWarm = liveHeap()
		}
	}
	grown := int64(liveHeap()) - int64(afterWarm)
	t.Logf("live heap after %d prompts of %d KiB: %+d KiB since prompt %d", total, size>>10, grown>>10, warm)
	// 40 more prompts: kept unbounded, their token ids alone take about 1 MiB. The prefix memory's fixed-size
	// entries (about 12 a prompt here) may grow by some 50 KiB.
	if grown > 384<<10 {
		t.Errorf("the live heap grew by %d KiB over %d distinct prompts after warm-up; want it flat (< 384 KiB)",
			grown>>10, total-warm)
	}
	runtime.KeepAlive(s)
}

// A 2,048-input embeddings request of a few KB draws a reply of tens of MB; the mock streams it, so the memory a
// request allocates is a small fraction of its reply.
func TestEmbeddingsReplyStreamed(t *testing.T) {
	inputs := make([]string, 2048)
	for i := range inputs {
		inputs[i] = "a b"
	}
	body, _ := json.Marshal(map[string]any{"model": "text-embedding-3-large", "input": inputs, "encoding_format": "base64"})
	s := mock.New(mock.Config{})
	send(t, s, mock.PathEmbeddings, `{"model":"text-embedding-3-large","input":"warm up"}`)
	req, _ := http.NewRequest("POST", "http://mock.invalid"+mock.PathEmbeddings, strings.NewReader(string(body)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := s.Transport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d-byte request drew a %d MB reply; the request allocated %d KB", len(body), n/1e6, alloc/1e3)
	if n < 20e6 || alloc > uint64(n)/16 {
		t.Errorf("reply %d bytes, allocated %d bytes: want the reply streamed (allocations < 1/16 of it)", n, alloc)
	}
}

// Beyond MaxConcurrent requests at once, the mock answers 503 with an OpenAI-style body and retry-after, counts
// the rejection, and serves again as soon as a request ends.
func TestMaxConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{MaxConcurrent: 2, TTFT: time.Second})
		c := s.Client()
		req := openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("x")}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if _, err := c.CreateChatCompletion(context.Background(), req); err != nil {
					t.Errorf("a request within the cap: %v", err)
				}
			})
		}
		synctest.Wait() // both are waiting for their first token
		resp, err := s.Transport().RoundTrip(mustRequest(t, `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Error struct{ Message, Type, Code string }
		}
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 503 || e.Error.Code != "overloaded" || e.Error.Type != "server_error" ||
			!strings.Contains(e.Error.Message, "2 requests at once") || resp.Header.Get("retry-after") == "" {
			t.Errorf("the third request: %d %+v retry-after %q", resp.StatusCode, e, resp.Header.Get("retry-after"))
		}
		synctest.Wait() // the rejected request's handler has returned
		if st := s.Stats(); st.Rejected != 1 || st.InFlight != 2 {
			t.Errorf("stats: rejected %d, in flight %d", st.Rejected, st.InFlight)
		}
		wg.Wait()
		if _, err := c.CreateChatCompletion(context.Background(), req); err != nil {
			t.Errorf("after the others ended: %v", err)
		}
		var apiErr *openai.APIError
		if _, err := c.CreateChatCompletion(context.Background(), req); errors.As(err, &apiErr) {
			t.Errorf("sequential requests rejected: %v", err)
		}
	})
}

// Stats.Models counts requests by the model asked for, and keeps at most MaxModelNames names.
func TestStatsModels(t *testing.T) {
	s := mock.New(mock.Config{})
	for _, m := range []string{"gpt-4o", "gpt-4o", "gpt-4o-2024-08-06"} {
		send(t, s, mock.PathChat, `{"model":"`+m+`","messages":[{"role":"user","content":"x"}]}`)
	}
	send(t, s, mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":"x"}`)
	send(t, s, mock.PathChat, `{"model":"gpt-9","messages":[{"role":"user","content":"x"}]}`) // 404: not counted
	st := s.Stats()
	want := map[string]int64{"gpt-4o": 2, "gpt-4o-2024-08-06": 1, "text-embedding-3-small": 1}
	if fmt.Sprint(st.Models) != fmt.Sprint(want) {
		t.Errorf("Models = %v, want %v", st.Models, want)
	}
	for i := range 2 * mock.MaxModelNames {
		send(t, s, mock.PathChat, fmt.Sprintf(`{"model":"gpt-4o-%04d-01-01","messages":[{"role":"user","content":"x"}]}`, 2000+i))
	}
	if st := s.Stats(); len(st.Models) > mock.MaxModelNames+1 || st.Models["other"] == 0 {
		t.Errorf("after %d names: %d kept, other %d", 2*mock.MaxModelNames+3, len(st.Models), st.Models["other"])
	}
	s.ResetStats()
	if st := s.Stats(); len(st.Models) != 0 {
		t.Errorf("after ResetStats: %v", st.Models)
	}
}

// BenchmarkDistinctLargePrompts sends one distinct prompt of about 460 KiB per operation, with the default
// configuration, and reports the live heap and the process's resident memory at the end: both stay flat
// however large b.N is (try -benchtime 150x, then 600x). Unbounded, the token cache held 4,096 such prompts.
func BenchmarkDistinctLargePrompts(b *testing.B) {
	s := mock.New(mock.Config{})
	send(b, s, mock.PathChat, chatBody("load the tokenizer"))
	bodies := make(chan string, 2)
	go func() { // prompts are made ahead, off the clock's critical path
		defer close(bodies)
		for i := 0; ; i++ {
			select {
			case bodies <- chatBody(distinctPrompt(i, 460<<10)):
			case <-b.Context().Done():
				return
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		send(b, s, mock.PathChat, <-bodies)
	}
	b.StopTimer()
	b.ReportMetric(float64(liveHeap())/(1<<20), "live-MiB")
	b.ReportMetric(float64(rss())/(1<<20), "rss-MiB")
}

// rss is the process's resident memory (VmRSS), 0 where /proc is missing.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
