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
//     (concurrency.Limiter), retries what may succeed with backoff (concurrency.Retry), and records latency,
//     tokens, cost and what the cache saved (metrics). With Options.Stream it streams every answer
//     (streaming.StreamChat) to measure time to first token; a batch job reads no token early, so by default
//     it asks for whole answers.
//
// Both produce the same output: one summary per unit of Options.Batch records, in log order, and a final site
// summary made by a summary-of-summaries tree (Reducer). With a deterministic model both modes give the same
// summaries, which the report checks with a digest. Both send the same requests: each record without its
// timestamp line (see RecordRequest), so that a routine entry the log repeats every day (data.SiteLog) is the
// same request every day, which the optimized mode's cache answers.
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
// The benchmarks use a model with zero latency (-upstream instant: answers made on the spot, no tokenizer, see
// Instant) so that what is measured is the program, and run each mode in a process of its own (the default for
// -mode both) so that one mode's peak memory does not show in the other's. -bench does it all for a list of
// sizes, generating each log in the temporary folder and deleting it after (make bench-pulse):
//
//	go build -o /tmp/workbook ./cmd/workbook
//	/tmp/workbook pulse -bench 256MiB,1GiB -upstream instant
//	/tmp/workbook pulse -generate 256MiB -in /tmp/site256.log -mode both -upstream instant -report /tmp/pulse256.txt
//
// Where the time goes is measured, not assumed: every run takes a CPU profile (Options.Profile; -profile on the
// command line, the default) and groups its samples into Categories — the collector, the model's side, the
// cache's keys and lookups, scheduling, JSON, stream parsing, the HTTP client, reading the log — and reads the
// runtime's counters (Counters: CPU time, GC cycles, bytes allocated, heap goal). The report's findings are
// sentences computed from those figures. -cpuprofile keeps the profiles for go tool pprof.
//
// Garbage collection: the optimized mode's live heap is a few MiB, so with the runtime's defaults (collect
// when the heap has grown by GOGC=100 % of the live heap, from a floor of 4 MiB) it collects every few MiB it
// allocates, while the naive mode's heap holds the whole log and rarely needs to. The command line therefore
// gives the optimized run a budget (-memlimit, default 18 MiB above the heap it starts with: GOMEMLIMIT with GOGC
// off) unless GOGC or GOMEMLIMIT are set; BENCHMARKS.md records what each setting does to CPU time and peak RSS.
package pulse
