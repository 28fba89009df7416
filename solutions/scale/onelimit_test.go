package scale_test

import (
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/scale"
)

// estimates are the estimates of each request of procs processes, and their sum: what they will use against a
// mock whose answers are exactly as long as their max_completion_tokens.
func estimates(procs, each int) ([][]int, int) {
	est, sum := make([][]int, procs), 0
	for p := range procs {
		for i := range each {
			est[p] = append(est[p], concurrency.Estimate(request(p, i), 0))
			sum += est[p][i]
		}
	}
	return est, sum
}

// TestFourProcessesOneLimit: four processes, each sending as fast as its workers allow through one shared limit
// equal to the mock's, draw no 429 and lose nothing: the first minute's allowance goes at once and not a token
// more, the rest at the limit's rate. Each process alone, with a limiter of its own, would let four allowances
// through.
func TestFourProcessesOneLimit(t *testing.T) {
	srv := startRedis(t)
	const procs, each = 4, 50
	est, total := estimates(procs, each)
	tpm := total * 60 / 63 // the allowance, then 3 s at the limit's rate
	const rpm = 60_000
	m, base := serveMock(t, mock.Config{RPM: rpm, TPM: tpm, TTFT: 30 * time.Millisecond, AnswerTokens: answerTokens, Seed: 1})
	jobs := make([]job, procs)
	for p := range jobs {
		jobs[p] = job{Role: "send", Redis: srv.URL(), Mock: base, Name: t.Name(), Requests: each,
			Workers: 8, Process: p, Limits: scale.Limits{RPM: rpm, TPM: tpm}, Estimates: est[p]}
	}
	children := startAll(t, jobs...)
	ok, limited := 0, 0
	for p, c := range children {
		rep := c.wait(t)
		ok += rep.OK
		limited += rep.Limited
		if rep.Failed > 0 || !rep.Shared || rep.Limited > 0 {
			t.Errorf("process %d: %+v; stderr: %s", p, rep, c.stderr)
		}
	}
	st := m.Stats()
	used := int(st.PromptTokens + st.CompletionTokens)
	t.Logf("%d requests, %d tokens (limit %d/min), %d 429s", ok, used, tpm, st.RateLimited)
	if ok != procs*each {
		t.Errorf("%d requests succeeded, want %d", ok, procs*each)
	}
	if used != total {
		t.Errorf("the processes used %d tokens, want %d", used, total)
	}
	if st.RateLimited != 0 || limited != 0 {
		t.Errorf("the mock refused %d requests (the processes saw %d 429s): the shared limiter over-admitted", st.RateLimited, limited)
	}
}

// TestRedisKilledMidRun kills the real redis-server while four processes send through the shared limiter, and
// starts it again once each has noticed: each process warns once and goes on with 1/4 of the limit, then says
// once that it shares again; no request is lost. (Nor, in practice, refused: while Redis is down each process
// keeps to its share, and a Redis that comes back empty starts them from an empty bucket.)
func TestRedisKilledMidRun(t *testing.T) {
	srv := startRedis(t)
	const procs, each = 4, 60
	est, total := estimates(procs, each)
	// The processes may burst 40 % of the tokens (the mock's key starts with that much left, and the 100 ms of
	// refill the limiter leaves for a request to reach the provider), and send the rest at the limit's rate in
	// 6 s: every process still has work when Redis is killed, and when it is back.
	burst := total * 4 / 10
	tpm := (total - burst) * 10
	const rpm = 60_000
	m, base := serveMock(t, mock.Config{RPM: rpm, TPM: tpm, StartUsed: 1 - float64(burst+tpm/600)/float64(tpm),
		TTFT: 20 * time.Millisecond, AnswerTokens: answerTokens, Seed: 1})
	jobs := make([]job, procs)
	for p := range jobs {
		jobs[p] = job{Role: "send", Redis: srv.URL(), Mock: base, Name: t.Name(), Requests: each,
			Workers: 4, Process: p, Limits: scale.Limits{RPM: rpm, TPM: tpm, MaxTokens: burst}, Estimates: est[p]}
	}
	children := startAll(t, jobs...)
	// Kill Redis 1.5 s after the burst, when the processes are pacing.
	waitFor(t, "the processes to spend the burst", func() bool {
		st := m.Stats()
		return int(st.PromptTokens+st.CompletionTokens) >= burst+tpm/40
	})
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	waitFor(t, "every process to notice", func() bool {
		for _, c := range children {
			if !strings.Contains(c.stderr.String(), "scale: Redis failed") {
				return false
			}
		}
		return true
	})
	time.Sleep(time.Second - time.Since(killed)) // down for a second at least
	restarted := time.Now()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Redis was down for %v, from %s to %s", time.Since(killed).Round(time.Millisecond),
		killed.Format("15:04:05.000000"), restarted.Format("15:04:05.000000"))
	ok := 0
	for p, c := range children {
		rep := c.wait(t)
		ok += rep.OK
		stderr := c.stderr.String()
		if rep.Failed > 0 {
			t.Errorf("process %d lost %d requests", p, rep.Failed)
		}
		if n := strings.Count(stderr, "scale: Redis failed"); n != 1 {
			t.Errorf("process %d warned %d times that Redis failed, want once: %s", p, n, stderr)
		}
		if !strings.Contains(stderr, "share of limit") || !strings.Contains(stderr, "1/4:") {
			t.Errorf("process %d: the warning should say it keeps 1/4 of the limit: %s", p, stderr)
		}
		if n := strings.Count(stderr, "scale: Redis answers again"); n != 1 || !rep.Shared {
			t.Errorf("process %d: said %d times that it shares again (shared at the end: %v): %s", p, n, rep.Shared, stderr)
		}
	}
	if ok != procs*each {
		t.Errorf("%d requests succeeded, want %d", ok, procs*each)
	}
	if testing.Verbose() {
		for p, c := range children {
			t.Logf("process %d:\n%s", p, c.stderr)
		}
	}
	t.Logf("429s in all: %d", m.Stats().RateLimited)
}

// waitFor polls cond every 5 ms for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
