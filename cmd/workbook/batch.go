package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/llmperf/workbook/kit/prices"
)

func init() {
	register(command{
		Name:    "batch",
		Summary: "send a JSONL file of requests (OpenAI Batch API format) within the rate limits; resumable",
		Run:     runBatch,
	})
}

const batchAbout = `Sends every request of -in, a file in the OpenAI Batch API's input format (one JSON object a line with
custom_id, method "POST", url "/v1/chat/completions" or "/v1/embeddings", and body), and appends one result a
line to -out in its output format (custom_id, response {status_code, request_id, body}, error).

It never loses a request: it stays inside the provider's limits (told with -rpm/-tpm, or learned from the
x-ratelimit-* headers and 429s of its replies), waits as long as a 429 says and tries again for as long as it
takes, retries other transient failures (5xx, dropped connections) up to -attempts times, and writes a request
that finally fails as a result with its error. Killed at any moment and started again with the same -out, it
sends only what -out does not hold yet: every custom_id ends up there exactly once. Before sending it prints
the estimated cost (kit/prices, prompts counted with kit/tokens, answers at their max_tokens); -budget refuses
to start above it, and stops sending, results kept, before the cost the replies report plus what the requests in
flight may cost would pass it (a request without max_tokens is reserved at the worst overrun seen so far).
With -redis, every batch process that uses that Redis and provider shares one rate limit (-rpm/-tpm: the key's
whole limits) and a cache of answers: a request another process already sent, or is sending, is not sent
again if its answer cannot vary (embeddings; chat with a seed or a temperature of 0). If Redis fails, each
process goes on with its share of the limits, says so once, and shares again when Redis is back.
Malformed lines are reported with their line number; the rest still runs. Results are written in the order they
complete, each with its custom_id. Memory does not grow with the number of requests: the Go heap is kept under a
soft 44 MiB (GOMEMLIMIT overrides).

The provider (-upstream):
  mock   the in-process mock (flags -mock-*): no network, no key, no cost
  env    the provider the environment names through lessons/llm: OPENAI_API_KEY (required), OPENAI_BASE_URL
         (any OpenAI-compatible server), shown by its URL, never by its key
  auto   (the default) env when OPENAI_API_KEY is set, mock otherwise

  go run ./cmd/workbook batch -in requests.jsonl -out results.jsonl
  go run ./cmd/workbook batch -in requests.jsonl -out results.jsonl -upstream mock -mock-tpm 200000 -mock-ttft 300ms
  OPENAI_API_KEY=… go run ./cmd/workbook batch -in requests.jsonl -out results.jsonl -budget 2.50
  OPENAI_API_KEY=… go run ./cmd/workbook batch -in part1.jsonl -out out1.jsonl -redis redis://localhost:6379/0 -rpm 500 -tpm 200000`

// batchFlags are the command's settings.
type batchFlags struct {
	in, out, upstream       string
	redis                   string // -redis: share the limit and a cache through this Redis
	workers, rpm, tpm       int
	attempts, defaultOut    int
	budget                  prices.Money
	timeout                 time.Duration
	mockTTFT                time.Duration
	mockRPM, mockTPM        int
	mockUsed, mockFaultRate float64
	quiet                   bool
}

func parseBatchFlags(args []string, stderr io.Writer) (*batchFlags, error) {
	fs := newFlags("batch", "", batchAbout, stderr)
	f := &batchFlags{}
	var budget string
	fs.StringVar(&f.in, "in", "", "the requests, a JSONL `FILE` in the Batch API's input format")
	fs.StringVar(&f.out, "out", "", "the results, a JSONL `FILE`: appended to, and read first to resume")
	fs.StringVar(&f.upstream, "upstream", "auto", "mock, env (OPENAI_API_KEY's provider) or auto (env if OPENAI_API_KEY is set)")
	fs.IntVar(&f.workers, "workers", 32, "requests in flight at most")
	fs.IntVar(&f.rpm, "rpm", 0, "the key's requests per minute, if you know it (with -tpm); 0: learn the limits from the provider")
	fs.IntVar(&f.tpm, "tpm", 0, "the key's tokens per minute, if you know it (with -rpm)")
	fs.IntVar(&f.attempts, "attempts", 8, "attempts per request for failures other than 429 (a 429 is retried as long as it takes)")
	fs.IntVar(&f.defaultOut, "default-output", 256, "answer tokens assumed for a chat request without max_tokens (limits and cost)")
	fs.StringVar(&budget, "budget", "", "the most to spend, in `DOLLARS` (like 2.50): refuse to start if the estimate is above, stop before spending passes it")
	fs.DurationVar(&f.timeout, "timeout", 0, "give up on a request after this long in all, e.g. 10m (0: never)")
	fs.DurationVar(&f.mockTTFT, "mock-ttft", 0, "mock: time to first token")
	fs.IntVar(&f.mockRPM, "mock-rpm", 0, "mock: requests per minute (0: unlimited)")
	fs.IntVar(&f.mockTPM, "mock-tpm", 0, "mock: tokens per minute (0: unlimited)")
	fs.Float64Var(&f.mockUsed, "mock-start-used", 0, "mock: fraction of the minute already used, e.g. 0.6")
	fs.Float64Var(&f.mockFaultRate, "mock-fault-rate", 0, "mock: fraction of requests that fail (500, 503, dropped)")
	fs.BoolVar(&f.quiet, "q", false, "no progress bar")
	fs.StringVar(&f.redis, "redis", "", "share the rate limit and a cache of answers with every batch process using this Redis `URL` (redis://host:port/db; needs -rpm and -tpm)")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	bad := func(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }
	switch {
	case fs.NArg() > 0:
		return nil, bad("unexpected arguments %q", fs.Args())
	case f.in == "" || f.out == "":
		return nil, bad("-in and -out are both needed")
	case f.upstream != "auto" && f.upstream != "mock" && f.upstream != "env":
		return nil, bad("-upstream %q: want mock, env or auto", f.upstream)
	case f.workers < 1:
		return nil, bad("-workers %d: want at least 1", f.workers)
	case (f.rpm > 0) != (f.tpm > 0) || f.rpm < 0 || f.tpm < 0:
		return nil, bad("-rpm %d -tpm %d: give both limits, or neither to learn them from the provider", f.rpm, f.tpm)
	case f.redis != "" && f.rpm == 0:
		return nil, bad("-redis needs -rpm and -tpm: the key's whole limits, which the processes share")
	case f.attempts < 1:
		return nil, bad("-attempts %d: want at least 1", f.attempts)
	case f.defaultOut < 0:
		return nil, bad("-default-output %d: want at least 0", f.defaultOut)
	case f.timeout < 0:
		return nil, bad("-timeout %v: want 0 (none) or more", f.timeout)
	case f.mockUsed < 0 || f.mockUsed > 1 || f.mockFaultRate < 0 || f.mockFaultRate > 1:
		return nil, bad("-mock-start-used and -mock-fault-rate are fractions between 0 and 1")
	case f.mockRPM < 0 || f.mockTPM < 0 || f.mockTTFT < 0:
		return nil, bad("-mock-rpm, -mock-tpm and -mock-ttft cannot be negative")
	}
	if budget != "" {
		m, err := prices.ParseDollars(budget)
		if err != nil || m <= 0 {
			return nil, bad("-budget %q: want an amount of dollars above 0, like 2.50", budget)
		}
		f.budget = m
	}
	if same, _ := sameFile(f.in, f.out); same {
		return nil, bad("-in and -out are the same file")
	}
	return f, nil
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// batchMemoryLimit is the soft limit batch sets for the Go heap.
const batchMemoryLimit = 44 << 20

// batchPlan is what the first pass over the input found.
type batchPlan struct {
	lines, valid, malformed int
	prompt, maxOut          int64        // tokens of the requests still to send
	cost                    prices.Money // their estimated cost (prompts + the longest answers)
	unpriced                map[string]int
	shared                  map[uint64]bool // hashes that two different custom_ids share
	dupLines                map[int]int     // line → the earlier line with the same custom_id
	pending                 int             // requests still to send
	done                    *idSet
	already                 int // results already in -out
}

func runBatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseBatchFlags(args, stderr)
	if err != nil {
		return err
	}
	up, err := f.newUpstream()
	if err != nil {
		return err
	}
	// Memory flat in the number of requests, and small: a soft limit for the Go heap (the tokenizers alone hold
	// about 23 MiB per encoding). GOMEMLIMIT in the environment overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(batchMemoryLimit))
	}
	table := prices.Default()
	plan, err := f.check(table, stderr)
	if err != nil {
		return up.redactErr(err)
	}
	fmt.Fprintf(stdout, "batch: %d lines in %s: %d requests, %d malformed; %d already in %s; %d to send to %s\n",
		plan.lines, f.in, plan.valid, plan.malformed, plan.already, f.out, plan.pending, up.name)
	fmt.Fprintf(stdout, "estimated cost of the requests to send: %v (%d prompt tokens, answers up to %d tokens; prices of %s)\n",
		plan.cost, plan.prompt, plan.maxOut, table.AsOf.Format("2006-01-02"))
	if len(plan.unpriced) > 0 {
		models := slices.Sorted(mapsKeys(plan.unpriced))
		fmt.Fprintf(stdout, "no price for %s: those requests are not in the estimate\n", strings.Join(models, ", "))
		if f.budget > 0 {
			return fmt.Errorf("-budget needs a price for every model, and %s has none: nothing sent", models[0])
		}
	}
	if f.budget > 0 && plan.cost > f.budget {
		return fmt.Errorf("the estimated cost %v is above -budget %v: nothing sent (raise -budget, or send fewer requests)",
			plan.cost, f.budget)
	}
	if plan.pending == 0 {
		fmt.Fprintln(stdout, "nothing to send")
		return nil
	}
	s, err := f.send(ctx, up, plan, table, stderr)
	fmt.Fprintln(stdout, s.summary(f, plan))
	if err != nil {
		return up.redactErr(err)
	}
	switch {
	case s.budgetStop:
		return fmt.Errorf("stopped at -budget %v: spent %v; %d requests not sent (their results are not in %s: "+
			"run again with a higher -budget to send them)", f.budget, s.spent, plan.pending-s.done, f.out)
	case s.failed > 0 || plan.malformed > 0:
		return fmt.Errorf("%d requests failed (their results carry the reason) and %d lines were malformed", s.failed, plan.malformed)
	}
	return nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// check reads what -out already holds, then the input once: it reports malformed lines (those with a custom_id
// get an error result in the second pass), estimates what the requests still to send will cost, and finds
// repeated custom_ids. Memory: 4 bytes per input line while it looks for repeats (a 32-bit hash of each
// custom_id), and 8 bytes per result already in -out.
func (f *batchFlags) check(table prices.Table, stderr io.Writer) (*batchPlan, error) {
	plan := &batchPlan{unpriced: map[string]int{}, shared: map[uint64]bool{}, dupLines: map[int]int{}}
	done, already, err := readDone(f.out, plan.shared)
	if err != nil {
		return nil, err
	}
	plan.done, plan.already = done, already
	withID := 0
	err = f.eachLine(func(n int, r *batchRequest, id string, lerr error) {
		plan.lines = n
		if lerr != nil {
			plan.malformed++
			fmt.Fprintf(stderr, "batch: %v\n", lineError{n, quoteID(id), lerr})
		} else {
			plan.valid++
		}
		if id != "" {
			withID++
		}
		if r != nil && !done.has(id) {
			plan.add(r, table, 1)
		}
	})
	if err != nil {
		return nil, err
	}
	// The ids' short hashes, in a slice of the right size at once (growing it would briefly need twice as much).
	short := make([]uint32, 0, withID)
	err = f.eachID(func(n int, id string) { short = append(short, uint32(idHash(id))) })
	if err != nil {
		return nil, err
	}
	// Repeated custom_ids. Lines whose 32-bit hashes meet are read again and their ids compared: a repeat is
	// sent once (its first line); two different ids that share even the 64-bit hash are kept apart exactly.
	slices.Sort(short)
	candidates := map[uint32]bool{}
	for i := 1; i < len(short); i++ {
		if short[i] == short[i-1] {
			candidates[short[i]] = true
		}
	}
	short = nil
	if len(candidates) == 0 {
		return plan, nil
	}
	first := map[string]int{}
	err = f.eachLine(func(n int, r *batchRequest, id string, lerr error) {
		if id == "" || !candidates[uint32(idHash(id))] {
			return
		}
		prev, seen := first[id]
		if !seen {
			first[id] = n
			return
		}
		plan.dupLines[n] = prev
		fmt.Fprintf(stderr, "batch: line %d: custom_id %q repeats line %d; only line %d is sent\n", n, quoteID(id), prev, prev)
		if r != nil && !done.has(id) {
			plan.add(r, table, -1)
		}
	})
	if err != nil {
		return nil, err
	}
	perHash := map[uint64]int{}
	for id := range first {
		perHash[idHash(id)]++
	}
	for h, n := range perHash {
		if n > 1 {
			plan.shared[h] = true
		}
	}
	if len(plan.shared) == 0 {
		return plan, nil
	}
	// Two different ids share a 64-bit hash (about one chance in 10⁸ for a million ids): read -out again with
	// those ids kept exactly, and count what is left to send again.
	if plan.done, _, err = readDone(f.out, plan.shared); err != nil {
		return nil, err
	}
	plan.pending, plan.prompt, plan.maxOut, plan.cost, plan.unpriced = 0, 0, 0, 0, map[string]int{}
	err = f.eachLine(func(n int, r *batchRequest, id string, lerr error) {
		if r != nil && plan.dupLines[n] == 0 && !plan.done.has(id) {
			plan.add(r, table, 1)
		}
	})
	return plan, err
}

// add counts a request to send (sign 1) or takes it back (-1).
func (plan *batchPlan) add(r *batchRequest, table prices.Table, sign int) {
	plan.pending += sign
	plan.prompt += int64(sign * r.prompt)
	plan.maxOut += int64(sign * r.maxOut)
	p, err := table.Lookup(r.model)
	if err != nil {
		plan.unpriced[r.model] += sign
		if plan.unpriced[r.model] == 0 {
			delete(plan.unpriced, r.model)
		}
		return
	}
	plan.cost += prices.Money(sign) * p.Cost(r.prompt, 0, r.maxOut)
}

// eachRaw calls fn with every line of the input as it is, its number, and whether it is longer than maxLine.
func (f *batchFlags) eachRaw(fn func(n int, line []byte, tooLong bool)) error {
	in, err := os.Open(f.in)
	if err != nil {
		return err
	}
	defer in.Close()
	lr := newLineReader(in)
	for {
		line, tooLong, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.in, err)
		}
		fn(lr.n, line, tooLong)
	}
}

// eachID calls fn with the custom_id of every line that has one, without checking the rest of the line.
func (f *batchFlags) eachID(fn func(n int, id string)) error {
	return f.eachRaw(func(n int, line []byte, tooLong bool) {
		var l struct {
			CustomID string `json:"custom_id"`
		}
		if !tooLong && json.Unmarshal(line, &l) == nil && l.CustomID != "" {
			fn(n, l.CustomID)
		}
	})
}

// eachLine parses every line of the input and calls fn with its number, the request (nil if malformed), its
// custom_id (if it has one) and what is wrong with it. Blank lines are skipped.
func (f *batchFlags) eachLine(fn func(n int, r *batchRequest, id string, err error)) error {
	return f.eachRaw(func(n int, line []byte, tooLong bool) {
		switch {
		case tooLong:
			fn(n, nil, "", fmt.Errorf("longer than %d MiB", maxLine>>20))
		case len(strings.TrimSpace(string(line))) > 0:
			r, id, err := parseLine(n, line, f.defaultOut)
			fn(n, r, id, err)
		}
	})
}

// batchStats is what the second pass did.
type batchStats struct {
	mu                     sync.Mutex
	done, ok, failed       int
	limited                int // 429s
	cached                 int // answered from the shared cache (-redis)
	spent, reserved        prices.Money
	overrun                float64 // the most a reply cost, as a multiple of its estimate (at least 1)
	budgetStop, cancelled  bool
	start                  time.Time
	tokens                 [60]int64 // tokens reported, per second, over the last minute
	lastSecond             int64
	usedTokens, errResults int64
}

func (s *batchStats) addTokens(n int) {
	sec := time.Since(s.start).Milliseconds() / 1000
	for s.lastSecond < sec {
		s.lastSecond++
		s.tokens[s.lastSecond%60] = 0
	}
	s.tokens[sec%60] += int64(n)
	s.usedTokens += int64(n)
}

// perMinute is the tokens reported over the last minute, as a provider counts them against its limit.
func (s *batchStats) perMinute() int64 {
	s.addTokens(0) // clear the seconds that passed without a reply
	var sum int64
	for _, t := range s.tokens {
		sum += t
	}
	return sum
}

func (s *batchStats) summary(f *batchFlags, plan *batchPlan) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	took := time.Since(s.start).Round(time.Millisecond)
	line := fmt.Sprintf("batch: %d of %d sent in %v: %d succeeded, %d failed; %d 429s waited out; %d tokens; spent %v",
		s.done, plan.pending, took, s.ok, s.failed, s.limited, s.usedTokens, s.spent)
	if f.redis != "" {
		line += fmt.Sprintf("; %d answered from the shared cache", s.cached)
	}
	if s.cancelled {
		line += fmt.Sprintf("; interrupted: run again with the same -out to send the other %d", plan.pending-s.done)
	}
	return line
}

// replyUsage is what a reply says it used.
type replyUsage struct {
	prompt, cached, completion, total int
}
