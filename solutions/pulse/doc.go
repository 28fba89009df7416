// Package pulse is the course's capstone: ProjectPulse, a construction-site log summarizer, written twice — the
// way most first versions look, and optimized end to end with the weeks' packages — so the difference can be
// measured on the same log, the same model and the same output.
//
// The idea: every optimization of the course is one stage of a single pipeline, and each one shows in a number.
//
//   - Naive reads the whole log into memory, splits it into records, and asks the model for one summary at a
//     time: no cache, no limits, no retries. Its memory grows with the log; its wall time is the sum of every
//     call's latency; the first failed call ends the run.
//   - Optimized reads records one at a time (streaming.Records), summarizes them with k workers in a bounded,
//     ordered pipeline (streaming.Pipeline), answers repeated records from an LRU cache that also merges
//     identical calls in flight (caching.Client), keeps under requests and tokens per minute
//     (concurrency.Limiter), retries what may succeed with backoff (concurrency.Retry), streams every answer
//     to measure time to first token (streaming.StreamChat), and records latency, tokens and cost (metrics).
//
// Both produce the same output: one summary per unit of Options.Batch records, in log order, and a final site
// summary made by a summary-of-summaries tree (Reducer). With a deterministic model both modes give the same
// summaries, which the report checks with a digest.
//
// Batching: the default is one record per call, like the course's Python seed, so the summaries are per record
// and a repeated record is a cache hit. Options.Batch = n puts n records in one prompt: n times fewer calls and
// one time-to-first-token per n records, but a batch repeats only if all n records do (fewer cache hits), and
// bigger prompts meet a tokens-per-minute limit sooner.
//
// Memory: the optimized mode holds at most 2·Workers units in flight, a bounded cache, and a Reducer whose
// memory grows with the logarithm of the log. Its Recorder keeps exact totals but only a fixed-size sample of
// calls for percentiles (a metrics.Tracker keeps every call: fine for thousands, hundreds of MiB for millions).
// Token estimates for the limiter count bytes, an upper bound on tokens, rather than loading a BPE table, whose
// tables alone are tens of MiB.
//
// Run it from the command line (cmd/workbook pulse):
//
//	go run ./cmd/workbook pulse -generate 1MiB -in /tmp/site.log -mode both -report /tmp/pulse.txt -html /tmp/pulse.html
//	go run ./cmd/workbook pulse -in /tmp/site.log -mode optimized -upstream mock -workers 16 -rpm 600 -tpm 200000 -fault-rate 0.05
//
// The model is an Upstream: NewMock (the in-process mock, with latency, limits and faults as configured),
// NewInstant (zero latency, see below), or NewFromEnv, the provider lessons/llm.New reads from the environment —
// OPENAI_API_KEY, with OPENAI_BASE_URL and OPENAI_MODEL optional — or its in-process mock when no key is set.
// The command line's -upstream auto (the default) uses the provider when OPENAI_API_KEY is set and the mock
// otherwise; the report names the model by llm.Client's String ("openai at https://…"), never by its key. A real
// provider means real requests and real cost: start with a small log and -rpm/-tpm under your account's limits.
//
//	OPENAI_API_KEY=… go run ./cmd/workbook pulse -generate 16KiB -in /tmp/small.log -mode optimized -rpm 500
//
// The memory benchmarks use a model with zero latency (-upstream instant: answers made on the spot, no
// tokenizer) so that what is measured is the program, and run each mode in its own process (the default for
// -mode both) so that one mode's peak memory does not show in the other's:
//
//	go build -o /tmp/workbook ./cmd/workbook
//	/tmp/workbook pulse -generate 256MiB -in /tmp/site256.log -mode both -upstream instant -report /tmp/pulse256.txt
//	/tmp/workbook pulse -generate 1GiB -in /tmp/site1g.log -mode both -upstream instant -report /tmp/pulse1g.txt
//	/usr/bin/time -v /tmp/workbook pulse -in /tmp/site1g.log -mode optimized -upstream instant
//
// The Go benchmarks (go test -bench . ./solutions/pulse) measure both modes per record on a small log, and the
// naive/optimized wall-time ratio with a model that takes time. BENCHMARKS.md records the figures measured on
// the course's machine: at 256 MiB and 1 GiB the optimized mode peaked at about 25 MiB RSS, the naive one at
// about four times the log's size; with zero model latency the optimized mode was about twice as slow (its
// cache keys, goroutine per call and streamed answers are work that pays off only when the model takes time).
package pulse
