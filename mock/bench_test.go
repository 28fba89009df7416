package mock_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

const benchBody = `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Why is my LLM app slow?"}]}`

// loopback starts s on 127.0.0.1 and returns a client tuned for many parallel keep-alive connections.
func loopback(b *testing.B, s *mock.Server) (string, *http.Client) {
	hs := httptest.NewServer(s)
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}
	b.Cleanup(func() { tr.CloseIdleConnections(); hs.Close() })
	return hs.URL, &http.Client{Transport: tr}
}

func post(b *testing.B, c *http.Client, url, body string) {
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// BenchmarkLoopback is the mock's throughput over loopback with zero latency, many clients in parallel:
// plain requests (one JSON body) and streamed ones ("stream": true, one SSE event per token, usage included),
// side by side, each with its allocations per request. The target is at least 20,000 plain req/s on 2 cores,
// so a lesson never measures the mock.
//
// req/s depends on how much of the machine the benchmark gets; req/cpu-s (requests per second of CPU time used
// by this process, client and server together) does not. On a shared machine, req/cpu-s × cores estimates
// req/s on that many idle cores; the client's share of the CPU makes it an underestimate of the server alone.
func BenchmarkLoopback(b *testing.B) {
	for _, tc := range []struct{ name, body string }{{"plain", benchBody}, {"stream", streamBody}} {
		b.Run(tc.name, func(b *testing.B) {
			url, c := loopback(b, mock.New(mock.Config{}))
			url += mock.PathChat
			post(b, c, url, tc.body) // warm the tokenizer
			b.ReportAllocs()
			b.SetParallelism(8)
			start, cpu := time.Now(), cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post(b, c, url, tc.body)
				}
			})
			reportRates(b, start, cpu)
		})
	}
}

// streamBody is benchBody streamed, with usage in the last event.
var streamBody = strings.Replace(benchBody, `{"model"`, `{"stream":true,"stream_options":{"include_usage":true},"model"`, 1)

// reportRates reports requests per second of wall time and of CPU time since start.
func reportRates(b *testing.B, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	if used := cpuTime() - cpu; used > 0 && cpu > 0 {
		b.ReportMetric(float64(b.N)/used.Seconds(), "req/cpu-s")
	}
}

// BenchmarkInMemory is a go-openai call through Transport, plain and streamed (read to the end): the cost of
// the mock itself plus the client, with no sockets.
func BenchmarkInMemory(b *testing.B) {
	c := mock.New(mock.Config{}).Client()
	req := openai.ChatCompletionRequest{Model: "gpt-4o-mini", Messages: userMsg("Why is my LLM app slow?")}
	if _, err := c.CreateChatCompletion(context.Background(), req); err != nil { // warm the tokenizer
		b.Fatal(err)
	}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		start, cpu := time.Now(), cpuTime()
		for b.Loop() {
			if _, err := c.CreateChatCompletion(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
		reportRates(b, start, cpu)
	})
	b.Run("stream", func(b *testing.B) {
		sreq := req
		sreq.Stream, sreq.StreamOptions = true, &openai.StreamOptions{IncludeUsage: true}
		b.ReportAllocs()
		start, cpu := time.Now(), cpuTime()
		for b.Loop() {
			s, err := c.CreateChatCompletionStream(context.Background(), sreq)
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := s.Recv(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
			s.Close()
		}
		reportRates(b, start, cpu)
	})
}

// BenchmarkLatencyRealised streams over loopback from a server with a configured time to first token and
// inter-token latency, and reports measured/configured for both: 1.00 means the latency model is exact; the
// target is within ±5 %.
func BenchmarkLatencyRealised(b *testing.B) {
	const ttft, itl, n = 50 * time.Millisecond, 10 * time.Millisecond, 20
	url, c := loopback(b, mock.New(mock.Config{TTFT: ttft, InterToken: itl, AnswerTokens: n}))
	url += mock.PathChat
	body := strings.Replace(benchBody, `{"model"`, `{"stream":true,"model"`, 1)
	var sumTTFT, sumITL time.Duration
	var gaps int
	for b.Loop() {
		start := time.Now()
		resp, err := c.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		var first, last time.Time
		tokens := 0
		for sc.Scan() {
			line := sc.Bytes()
			if !bytes.Contains(line, []byte(`"content":"`)) || bytes.Contains(line, []byte(`"content":""`)) {
				continue
			}
			now := time.Now()
			if tokens == 0 {
				first = now
			}
			last = now
			tokens++
		}
		resp.Body.Close()
		if tokens != n {
			b.Fatalf("%d content chunks, want %d", tokens, n)
		}
		sumTTFT += first.Sub(start)
		sumITL += last.Sub(first)
		gaps += n - 1
	}
	runs := float64(b.N)
	b.ReportMetric(float64(sumTTFT)/runs/float64(ttft), "ttft-ratio")
	b.ReportMetric(float64(sumITL)/float64(gaps)/float64(itl), "inter-token-ratio")
}
