package concurrency

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// limitCase is one way of meeting a provider's limits.
type limitCase struct {
	name      string
	told      bool    // NewLimiter with the provider's limits; otherwise NewAdaptiveLimiter
	startUsed float64 // the key's minute already used when the run starts
	provider  string  // "" (headers and messages), "no headers" (messages only), "429s only" (neither)
}

// limitRun is what one case did.
type limitRun struct {
	requests, lost, limited int
	tokens                  int64         // tokens the provider counted (prompt + completion)
	best                    time.Duration // the best possible time to send the last request
	lastSent                time.Duration // when the last successful request was sent
	took                    time.Duration
}

func (r limitRun) efficiency() float64 { return float64(r.best) / float64(max(r.lastSent, 1)) }

// limitRequests are n chat requests of different sizes: prompts of 10 to 120 words, each allowing an answer of 64
// to 1,024 tokens (answers are 20 to 99 tokens); with their estimates. Larger requests are the ones a careless
// limiter starves.
func limitRequests(n int) ([]openai.ChatCompletionRequest, []int) {
	reqs, est := make([]openai.ChatCompletionRequest, n), make([]int, n)
	for i := range reqs {
		words, maxOut := 10+(i*7919)%111, 64+(i*104729)%961
		reqs[i] = openai.ChatCompletionRequest{Model: "gpt-4o-mini", MaxCompletionTokens: maxOut,
			Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Summarise: " + data.Document(words, int64(i))}}}
		est[i] = Estimate(reqs[i], 0)
	}
	return reqs, est
}

// runLimits sends reqs (with their estimates) through a Sender k at a time against a mock with rpm and tpm
// limits and 300 ms of latency, in virtual time.
func runLimits(t *testing.T, c limitCase, reqs []openai.ChatCompletionRequest, est []int, rpm, tpm, k int) limitRun {
	var run limitRun
	synctest.Test(t, func(t *testing.T) {
		srv := mock.New(mock.Config{RPM: rpm, TPM: tpm, TTFT: 300 * time.Millisecond, StartUsed: c.startUsed, Seed: 1})
		var rt http.RoundTripper = srv.Transport()
		if c.provider != "" {
			rt = &reticent{base: rt, noMessage: c.provider == "429s only"}
		}
		cfg := srv.ClientConfig()
		cfg.HTTPClient = &http.Client{Transport: &Transport{Base: rt}}
		client := openai.NewClientWithConfig(cfg)
		lim := NewAdaptiveLimiter()
		if c.told {
			var err error
			if lim, err = NewLimiter(rpm, tpm, tpm); err != nil {
				t.Fatal(err)
			}
		}
		t0 := time.Now()
		var mu sync.Mutex
		s := &Sender{Limiter: lim, Backoff: Backoff{Base: 100 * time.Millisecond, Cap: 5 * time.Second, MaxAttempts: 8},
			OnAttempt: func(a Attempt) {
				mu.Lock()
				defer mu.Unlock()
				if a.Err == nil {
					run.lastSent = max(run.lastSent, a.Start.Sub(t0))
				}
			}}
		jobs := make([]func(context.Context) (string, error), len(reqs))
		for i, req := range reqs {
			jobs[i] = func(ctx context.Context) (string, error) {
				err := s.Send(ctx, est[i], func(ctx context.Context) (int, error) {
					resp, err := client.CreateChatCompletion(ctx, req)
					return resp.Usage.TotalTokens, err
				})
				return "", err
			}
		}
		res, _ := Batch(context.Background(), k, CollectAll, jobs)
		run.took = time.Since(t0)
		for _, r := range res {
			if r.Err != nil {
				run.lost++
				if run.lost == 1 {
					t.Logf("%s: lost: %v", c.name, r.Err)
				}
			}
		}
		st := srv.Stats()
		run.requests, run.limited = int(st.Requests), int(st.ByStatus[429])
		run.tokens = st.PromptTokens + st.CompletionTokens
		run.best = bestTime(len(reqs), run.tokens, rpm, tpm, c.startUsed)
	})
	return run
}

// bestTime is the earliest the last of n requests using tokens in all can be sent, as notebook 04 defines it:
// the key's starting allowance at once, the rest as the limits refill.
func bestTime(n int, tokens int64, rpm, tpm int, startUsed float64) time.Duration {
	byRequests := (float64(n) - (1-startUsed)*float64(rpm)) / float64(rpm)
	byTokens := (float64(tokens) - (1-startUsed)*float64(tpm)) / float64(tpm)
	return time.Duration(max(byRequests, byTokens, 0) * float64(time.Minute))
}

// reticent hides what a provider says about its limits: the x-ratelimit-* headers, and with noMessage also the
// numbers in a 429's message. retry-after stays.
type reticent struct {
	base      http.RoundTripper
	noMessage bool
}

func (p *reticent) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	for k := range resp.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-ratelimit-") {
			resp.Header.Del(k)
		}
	}
	if p.noMessage && resp.StatusCode == http.StatusTooManyRequests {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error map[string]any `json:"error"`
		}
		json.Unmarshal(b, &e)
		e.Error["message"] = "Rate limit reached. Please slow down."
		e.Error["type"] = ""
		b, _ = json.Marshal(e)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Del("Content-Length")
	}
	return resp, nil
}

// TestNoRequestLost runs the four cases of issue 15 (told the limits or not, fresh key or partly used) and two
// providers that say less, in virtual time, and checks: no request lost, 429s at most 2 % of requests, and at
// least 95 % of the best possible time; without headers (limits only in 429 messages) 429s up to 8 %; with 429s
// alone (the AIMD controller) at least 90 % with 429s up to 12 %.
func TestNoRequestLost(t *testing.T) {
	reqs, est := limitRequests(300)
	cases := []struct {
		limitCase
		minEff, max429 float64
	}{
		{limitCase{name: "told, fresh key", told: true}, 0.95, 0.02},
		{limitCase{name: "told, key 60% used", told: true, startUsed: 0.6}, 0.95, 0.02},
		{limitCase{name: "adaptive, fresh key"}, 0.95, 0.02},
		{limitCase{name: "adaptive, key 60% used", startUsed: 0.6}, 0.95, 0.02},
		{limitCase{name: "adaptive, no headers", startUsed: 0.6, provider: "no headers"}, 0.95, 0.08},
		{limitCase{name: "adaptive, 429s only", startUsed: 0.6, provider: "429s only"}, 0.90, 0.12},
	}
	for _, c := range cases {
		r := runLimits(t, c.limitCase, reqs, est, 600, 6_000, 16)
		share := float64(r.limited) / float64(r.requests)
		t.Logf("%-24s efficiency %5.1f%%  best %v  last sent %v  429s %d (%.1f%% of %d requests)  lost %d",
			c.name, 100*r.efficiency(), r.best.Round(time.Second), r.lastSent.Round(time.Second), r.limited,
			100*share, r.requests, r.lost)
		if r.lost != 0 {
			t.Errorf("%s: %d requests lost", c.name, r.lost)
		}
		if r.efficiency() < c.minEff {
			t.Errorf("%s: %.1f%% of the best possible time, want ≥ %.0f%%", c.name, 100*r.efficiency(), 100*c.minEff)
		}
		if share > c.max429 {
			t.Errorf("%s: 429s %.1f%% of requests, want ≤ %.0f%%", c.name, 100*share, 100*c.max429)
		}
	}
}

// BenchmarkLimits reports TestNoRequestLost's figures as benchmark metrics, per case: efficiency (% of the best
// possible time), 429s and lost requests. The cases run in virtual time, which needs a *testing.T, so the
// benchmark runs the test in a child process and reads its log; b's own timing is the child's real time.
func BenchmarkLimits(b *testing.B) {
	var out []byte
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoRequestLost$", "-test.v", "-test.count=1")
		var err error
		if out, err = cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
	}
	re := regexp.MustCompile(`(?m)^\s+limits_test.go:\d+: (.+?)\s+efficiency\s+([\d.]+)%.*429s (\d+) .*lost (\d+)$`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		name := strings.NewReplacer(", ", "-", " ", "-", "%", "pct").Replace(m[1])
		eff, _ := strconv.ParseFloat(m[2], 64)
		n429, _ := strconv.Atoi(m[3])
		lost, _ := strconv.Atoi(m[4])
		b.ReportMetric(eff, name+"-eff%")
		b.ReportMetric(float64(n429), name+"-429s")
		b.ReportMetric(float64(lost), name+"-lost")
	}
}
