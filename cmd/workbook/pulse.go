package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/kit/progress"
	"github.com/llmperf/workbook/kit/redact"
	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/pulse"
)

func init() {
	register(command{
		Name:    "pulse",
		Summary: "the capstone: summarize a site log naively and optimized; report the difference as text and HTML",
		Run:     runPulse,
	})
}

const pulseAbout = `ProjectPulse summarizes a construction-site log (blank-line-separated records) with a model: one summary per
-batch records, then a site summary made from them -group at a time. It runs it two ways on the same log:
  naive      reads the whole log, one call at a time, no cache, no limits, no retries
  optimized  record iterator → -workers in a bounded ordered pipeline → cache with in-flight dedup →
             -rpm/-tpm limiter → retries with backoff → calls (streamed with -stream: time to first token) →
             metrics; the collector gets a budget of -memlimit
and writes a before/after report: text (stdout or -report) and an HTML page of charts (-html), with a CPU
profile of each run grouped into categories, and findings computed from the runs' own figures.
-bench SIZES does it on generated logs of each size and prints a table (make bench-pulse).

-mode both runs each mode in a process of its own (unless -isolate=false), so each peak RSS is that mode's own.
The model (-upstream) is one of
  mock      the in-process mock: latency, limits and faults from the flags, usage counted with the real tokenizer
  instant   a zero-latency stand-in, no tokenizer: measures the program itself
  env       the provider the environment names, as lessons/llm.New reads it: OPENAI_API_KEY (required),
            OPENAI_BASE_URL (optional, any OpenAI-compatible server), OPENAI_MODEL (optional) — real requests,
            real latency, real cost; the report names it by its URL, never by its key
  auto      (the default) env when OPENAI_API_KEY is set, mock otherwise

  go run ./cmd/workbook pulse -generate 1MiB -in /tmp/site.log -mode both
  go run ./cmd/workbook pulse -in /tmp/site.log -upstream mock -rpm 600 -tpm 200000 -fault-rate 0.05 -html /tmp/pulse.html
  go build -o /tmp/workbook ./cmd/workbook && /tmp/workbook pulse -bench 256MiB,1GiB -upstream instant
  OPENAI_API_KEY=… go run ./cmd/workbook pulse -generate 16KiB -in /tmp/small.log -mode optimized -rpm 500`

// pulseFlags are the command's settings.
type pulseFlags struct {
	in, generate, mode, upstream, report, html, faults string
	cpuprofile, memlimitFlag, bench                    string
	workers, batch, group, cache, maxTokens, rpm, tpm  int
	attempts, repeat                                   int
	ttft, interToken                                   time.Duration
	jitter, faultRate                                  float64
	env                                                llm.Settings // the provider settings from the environment
	seed, memlimit                                     int64
	asJSON, isolate, quiet, stream, profile            bool
	set                                                map[string]bool // flags given on the command line
	fs                                                 *flag.FlagSet
}

func parsePulseFlags(args []string, stderr io.Writer) (*pulseFlags, error) {
	fs := newFlags("pulse", "", pulseAbout, stderr)
	f := &pulseFlags{fs: fs, set: map[string]bool{}}
	fs.StringVar(&f.in, "in", "", "the log `FILE` to summarize (with -generate: the file to write first)")
	fs.StringVar(&f.generate, "generate", "", "first write a generated site log of `SIZE` (like 1MiB, 256MiB, 1GiB) to -in")
	fs.StringVar(&f.mode, "mode", "both", "naive, optimized, both, or none (only -generate)")
	fs.StringVar(&f.upstream, "upstream", "auto", "the model: mock (in-process, latency flags apply), instant (zero latency, no tokenizer), env (OPENAI_API_KEY's provider) or auto (env if OPENAI_API_KEY is set, else mock)")
	fs.StringVar(&f.report, "report", "", "write the text report to `FILE` instead of standard output")
	fs.StringVar(&f.html, "html", filepath.Join(os.TempDir(), "pulse-report.html"), "write the HTML report (charts) to `FILE`; empty: none")
	fs.IntVar(&f.workers, "workers", 8, "optimized: pipeline workers")
	fs.IntVar(&f.batch, "batch", 1, "records per summary call (both modes)")
	fs.IntVar(&f.group, "group", 16, "summaries per summary-of-summaries call (both modes)")
	fs.IntVar(&f.cache, "cache", 1024, "optimized: answers the cache keeps")
	fs.IntVar(&f.maxTokens, "max-tokens", 60, "longest answer of a call, in tokens")
	fs.IntVar(&f.rpm, "rpm", 0, "requests per minute: the mock enforces it, the optimized mode keeps under it (0: none)")
	fs.IntVar(&f.tpm, "tpm", 0, "tokens per minute, like -rpm (0: none)")
	fs.IntVar(&f.attempts, "attempts", 8, "optimized: attempts per call, the first included")
	fs.DurationVar(&f.ttft, "ttft", 50*time.Millisecond, "mock: time to first token")
	fs.DurationVar(&f.interToken, "inter-token", time.Millisecond, "mock: time per further token")
	fs.Float64Var(&f.jitter, "jitter", 0.25, "mock: ± fraction of latency")
	fs.Float64Var(&f.faultRate, "fault-rate", 0, "mock: probability that a request fails")
	fs.StringVar(&f.faults, "faults", "500,503,429,drop", "mock: the kinds of fault to inject, comma-separated")
	fs.Int64Var(&f.seed, "seed", 1, "seed of the generated log, the mock's latency and faults, and retry jitter")
	fs.BoolVar(&f.asJSON, "json", false, "print the runs as JSON instead of the text report (no HTML)")
	fs.BoolVar(&f.isolate, "isolate", true, "with -mode both, run each mode in a child process of its own")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	fs.BoolVar(&f.stream, "stream", false, "optimized: stream every answer, to measure time to first token (costs CPU per call)")
	fs.BoolVar(&f.profile, "profile", true, "take a CPU profile of each run and report where the CPU went, by category")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "also write each run's CPU profile to `FILE` (for go tool pprof; with two modes, the mode goes before the extension)")
	fs.StringVar(&f.memlimitFlag, "memlimit", "18MiB", "optimized: give the garbage collector a budget of `SIZE` above the heap the process holds when the run starts (GOMEMLIMIT, with GOGC off): it then collects when the heap nears it, not each time a small heap doubles; 0: the runtime's defaults. GOGC or GOMEMLIMIT in the environment win")
	fs.StringVar(&f.bench, "bench", "", "benchmark: for each of the comma-separated `SIZES` (like 256MiB,1GiB) generate a log in the temporary folder, run both modes each in its own process, print a table, delete the log")
	fs.IntVar(&f.repeat, "repeat", 1, "-bench: runs of each mode per size, interleaved")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("pulse takes no arguments, got %q (flags go before them?)", fs.Args())}
	}
	return f, f.check()
}

func (f *pulseFlags) check() error {
	bad := func(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }
	env, err := llm.Env()
	if err != nil {
		return bad("%v", err)
	}
	f.env = env
	if v := strings.TrimSpace(f.memlimitFlag); v != "0" && v != "off" && v != "" {
		n, err := parseSize(v)
		if err != nil || n < 4<<20 {
			return bad("-memlimit %q: want a size of at least 4MiB, like 24MiB, or 0 for the runtime's defaults", f.memlimitFlag)
		}
		f.memlimit = n
	}
	if f.bench != "" {
		if _, err := benchSizes(f.bench); err != nil {
			return bad("%v", err)
		}
		if f.repeat < 1 {
			return bad("-repeat is %d; it must be at least 1", f.repeat)
		}
		if f.in == "" {
			f.in = "(generated)" // each size's log is generated in the temporary folder
		}
	}
	switch {
	case f.in == "":
		return bad("-in is required: the log to summarize (or -generate SIZE -in FILE to write one first)")
	case f.mode != "naive" && f.mode != "optimized" && f.mode != "both" && f.mode != "none":
		return bad("-mode is %q; want naive, optimized, both or none", f.mode)
	case f.mode == "none" && f.generate == "":
		return bad("-mode none does nothing without -generate")
	case f.upstream != "auto" && f.upstream != "mock" && f.upstream != "instant" && f.upstream != "env":
		return bad("-upstream is %q; want auto, mock, instant or env", f.upstream)
	case f.upstream == "env" && !f.env.Real():
		return bad("-upstream env needs OPENAI_API_KEY set (and optionally OPENAI_BASE_URL, OPENAI_MODEL)")
	case f.workers < 1:
		return bad("-workers is %d; it must be at least 1", f.workers)
	case f.batch < 1:
		return bad("-batch is %d; it must be at least 1", f.batch)
	case f.group < 2:
		return bad("-group is %d; a summary of summaries needs at least 2", f.group)
	case f.cache < 1:
		return bad("-cache is %d; it must be at least 1", f.cache)
	case f.maxTokens < 1:
		return bad("-max-tokens is %d; it must be at least 1", f.maxTokens)
	case f.rpm < 0 || f.tpm < 0:
		return bad("-rpm %d -tpm %d: limits cannot be negative (0 means none)", f.rpm, f.tpm)
	case f.attempts < 1:
		return bad("-attempts is %d; it must be at least 1", f.attempts)
	case f.ttft < 0 || f.interToken < 0:
		return bad("-ttft %v -inter-token %v: latencies cannot be negative", f.ttft, f.interToken)
	case f.jitter < 0 || f.jitter > 1:
		return bad("-jitter is %v; want a fraction between 0 and 1", f.jitter)
	case f.faultRate < 0 || f.faultRate > 1:
		return bad("-fault-rate is %v; want a probability between 0 and 1", f.faultRate)
	}
	auto := f.upstream == "auto"
	if auto {
		f.upstream = "mock"
		if f.env.Real() {
			f.upstream = "env"
		}
	}
	mockOnly := []string{"ttft", "inter-token", "jitter", "fault-rate", "faults"}
	switch {
	case f.upstream == "instant":
		mockOnly = append(mockOnly, "rpm", "tpm")
	case f.upstream == "env" && auto:
		for _, name := range mockOnly {
			if f.set[name] {
				return bad("-%s sets the mock, but OPENAI_API_KEY is set, so the model is a real provider; "+
					"add -upstream mock to measure the mock", name)
			}
		}
	}
	if f.upstream != "mock" {
		for _, name := range mockOnly {
			if f.set[name] {
				return bad("-%s sets the mock; it has no effect with -upstream %s", name, f.upstream)
			}
		}
	}
	if _, err := f.faultKinds(); err != nil {
		return usageError{err}
	}
	return nil
}

func (f *pulseFlags) faultKinds() ([]mock.Fault, error) {
	var kinds []mock.Fault
	for _, name := range strings.Split(f.faults, ",") {
		k, err := mock.ParseFault(strings.TrimSpace(name))
		if err != nil {
			return nil, fmt.Errorf("-faults %q: %w", f.faults, err)
		}
		kinds = append(kinds, k)
	}
	return kinds, nil
}

// checkBudget prices the run on a real provider before anything is sent (llm.Settings.Check): it prints the
// estimate and refuses a run above the budget, saying how to raise it. Both modes count when -mode both.
func (f *pulseFlags) checkBudget(up pulse.Upstream, stderr io.Writer) error {
	file, err := os.Open(f.in)
	if err != nil {
		return fmt.Errorf("-in: %w", err)
	}
	defer file.Close()
	opt := f.options()
	opt.Model = up.Model
	plan, err := pulse.Plan(file, opt)
	if err != nil {
		return fmt.Errorf("-in %s: %w", f.in, err)
	}
	if f.mode == "both" {
		plan.Calls *= 2
	}
	s := f.env
	s.Model = cmp.Or(up.Model, s.Model, llm.DefaultModel)
	if f.quiet || f.asJSON {
		return s.Check(io.Discard, plan)
	}
	return s.Check(stderr, plan)
}

// upstreamModel makes the model -upstream names (check has resolved auto).
func (f *pulseFlags) upstreamModel() (pulse.Upstream, error) {
	switch f.upstream {
	case "instant":
		return pulse.NewInstant(), nil
	case "env":
		up, err := pulse.NewFromEnv()
		if err != nil {
			return up, usageError{fmt.Errorf("-upstream env: %w", err)}
		}
		return up, nil
	}
	kinds, _ := f.faultKinds() // checked by check
	return pulse.NewMock(mock.Config{TTFT: f.ttft, InterToken: f.interToken, Jitter: f.jitter, RPM: f.rpm,
		TPM: f.tpm, FaultRate: f.faultRate, Faults: kinds, Seed: f.seed}), nil
}

func (f *pulseFlags) options() pulse.Options {
	return pulse.Options{Batch: f.batch, Group: f.group, MaxTokens: f.maxTokens, Workers: f.workers,
		CacheSize: f.cache, RPM: f.rpm, TPM: f.tpm, Backoff: concurrency.Backoff{Base: 100 * time.Millisecond,
			Cap: 5 * time.Second, MaxAttempts: f.attempts, Seed: uint64(f.seed)}, Stream: f.stream, Profile: f.profile}
}

// gcBudget gives the garbage collector of this process a budget for an optimized run: a soft memory limit of
// -memlimit above the heap the process already holds (the mock's tokenizer tables, for one), with the
// proportional trigger off (GOGC=off GOMEMLIMIT=…), unless the environment sets GOGC or GOMEMLIMIT. The
// optimized mode's memory is bounded (by -workers, -cache, -batch), so its live heap is a few MiB, and the
// default trigger — collect when the heap has doubled, from a floor of 4 MiB — collects every few MiB it
// allocates. The returned function restores the previous settings.
func (f *pulseFlags) gcBudget(mode string) func() {
	if mode != pulse.ModeOptimized || f.memlimit <= 0 || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	limit := debug.SetMemoryLimit(f.memlimit + int64(s[0].Value.Uint64()))
	percent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// gcNote says what gcBudget does.
func (f *pulseFlags) gcNote() string {
	switch {
	case os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "":
		return "GC as GOGC/GOMEMLIMIT in the environment say"
	case f.memlimit <= 0:
		return "GC on the runtime's defaults"
	}
	return fmt.Sprintf("GC budget %s above its starting heap (GOMEMLIMIT, GOGC off)", formatBytes(uint64(f.memlimit)))
}

// profilePath is where -cpuprofile puts the profile of mode: the file itself for one mode, else the file with
// the mode before its extension (cpu.pprof → cpu-optimized.pprof).
func (f *pulseFlags) profilePath(mode string) string {
	if f.mode != "both" && f.bench == "" {
		return f.cpuprofile
	}
	ext := filepath.Ext(f.cpuprofile)
	return strings.TrimSuffix(f.cpuprofile, ext) + "-" + mode + ext
}

func runPulse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parsePulseFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.bench != "" {
		return runPulseBench(ctx, f, stdout, stderr)
	}
	if f.generate != "" {
		if err := generateLog(f, stderr); err != nil {
			return err
		}
	}
	info, err := os.Stat(f.in)
	switch {
	case err != nil:
		return fmt.Errorf("-in: %w", err)
	case info.IsDir():
		return fmt.Errorf("-in %s is a folder; want a log file", f.in)
	case f.mode == "none":
		return nil
	}
	if f.upstream == "env" {
		up, err := f.upstreamModel() // a bad OPENAI_BASE_URL stops the command here, before any run
		if err != nil {
			return err
		}
		if !f.quiet && !f.asJSON { // -json: the runs name it; a child process of -mode both is quiet here
			fmt.Fprintf(stderr, "model: %s, %s (from the environment: real requests, real cost)\n", up.Name,
				cmp.Or(up.Model, llm.DefaultModel))
		}
		if err := f.checkBudget(up, stderr); err != nil {
			return err
		}
	}

	modes := []string{f.mode}
	if f.mode == "both" {
		modes = []string{pulse.ModeNaive, pulse.ModeOptimized}
	}
	var runs []pulse.Result
	for _, m := range modes {
		var res pulse.Result
		if len(modes) > 1 && f.isolate {
			res, err = runPulseChild(ctx, f, m, stderr)
		} else {
			res, err = runPulseMode(ctx, f, m, info.Size(), stderr)
		}
		if err != nil && res.Mode == "" {
			return err // nothing ran
		}
		runs = append(runs, res) // a failed run is reported with its error
	}
	if f.asJSON {
		if err := json.NewEncoder(stdout).Encode(runs); err != nil {
			return err
		}
		return firstRunError(runs)
	}
	rep := pulse.Report{Title: fmt.Sprintf("%s (%s), %s", f.in, formatBytes(uint64(info.Size())), runs[0].Upstream),
		Notes: f.notes(runs)}
	rep.Runs = runs
	out := stdout
	if f.report != "" {
		if err := os.WriteFile(f.report, []byte(redact.String(rep.Text())), 0o644); err != nil {
			return fmt.Errorf("-report: %w", err)
		}
		fmt.Fprintf(stdout, "text report: %s\n", f.report)
	} else {
		io.WriteString(out, rep.Text())
	}
	if f.html != "" {
		if err := rep.SaveHTML(f.html); err != nil {
			return fmt.Errorf("-html: %w", err)
		}
		abs, _ := filepath.Abs(f.html)
		fmt.Fprintf(stdout, "HTML report: %s\n", abs)
	}
	return firstRunError(runs)
}

func firstRunError(runs []pulse.Result) error {
	for _, r := range runs {
		if r.Err != "" {
			return fmt.Errorf("the %s run failed: %s", r.Mode, r.Err)
		}
	}
	return nil
}

// notes says how the runs were made, for the report.
func (f *pulseFlags) notes(runs []pulse.Result) []string {
	model := "instant: zero latency, usage estimated (4 bytes a token)"
	switch f.upstream {
	case "env":
		model = fmt.Sprintf("%s, %s (OPENAI_API_KEY is set): the provider's own latency, limits and faults; "+
			"usage as it reports it; optimized keeps under rpm %d, tpm %d", runs[0].Upstream,
			f.env.Model, f.rpm, f.tpm)
	case "mock":
		model = fmt.Sprintf("mock: ttft %v, %v per further token, jitter ±%.0f%%, rpm %d, tpm %d, fault rate %g (%s)",
			f.ttft, f.interToken, 100*f.jitter, f.rpm, f.tpm, f.faultRate, f.faults)
	}
	isolation := "each mode in a process of its own: each peak RSS is that mode's alone"
	if len(runs) > 1 && !f.isolate {
		isolation = "both modes in one process: peak RSS is the process's peak so far, so the second run's " +
			"includes the first's; compare peak heap growth instead"
	} else if len(runs) == 1 {
		isolation = "one mode in this process"
	}
	return []string{
		"model " + model,
		fmt.Sprintf("optimized: %d workers, cache of %d answers, %d attempts per call, %s, %s; both: %d records "+
			"per call, %d summaries per summary of summaries, answers of at most %d tokens", f.workers, f.cache,
			f.attempts, map[bool]string{true: "answers streamed", false: "whole answers"}[f.stream], f.gcNote(),
			f.batch, f.group, f.maxTokens),
		isolation,
		fmt.Sprintf("%s, %s/%s, GOMAXPROCS %d, %s", runtime.Version(), runtime.GOOS, runtime.GOARCH,
			runtime.GOMAXPROCS(0), time.Now().UTC().Format(time.RFC3339)),
	}
}

// runPulseMode runs one mode in this process, with a progress bar in KiB of log.
func runPulseMode(ctx context.Context, f *pulseFlags, mode string, size int64, stderr io.Writer) (pulse.Result, error) {
	// The command takes no heap profiles: stop the runtime sampling one allocation in every 512 KiB for them,
	// whose table of allocation sites (a MiB or so) would count in the optimized run's memory.
	runtime.MemProfileRate = 0
	file, err := os.Open(f.in)
	if err != nil {
		return pulse.Result{}, fmt.Errorf("-in: %w", err)
	}
	defer file.Close()
	opt := f.options()
	if !f.quiet {
		bar := progress.NewText(stderr, mode+" (KiB of log)", int((size+1023)/1024), isTerminal(stderr))
		defer bar.Done()
		var bytes, shown int
		opt.Progress = func(n int) {
			bytes += n
			if kib := bytes / 1024; kib > shown {
				bar.Add(kib - shown)
				shown = kib
			}
		}
	}
	up, err := f.upstreamModel()
	if err != nil {
		return pulse.Result{}, err
	}
	if f.cpuprofile != "" {
		pf, err := os.Create(f.profilePath(mode))
		if err != nil {
			return pulse.Result{}, fmt.Errorf("-cpuprofile: %w", err)
		}
		defer pf.Close()
		opt.ProfileTo = pf
	}
	defer f.gcBudget(mode)()
	res, err := pulse.Run(ctx, mode, up, bufio.NewReaderSize(file, 64<<10), opt)
	if err != nil {
		err = fmt.Errorf("%s run on %s: %w", mode, f.in, err)
	}
	return res, err
}

// pulseChild makes the command that runs one mode in a child process; tests replace it.
var pulseChild = func(ctx context.Context, args []string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this program to run a mode in a child process (try -isolate=false): %w", err)
	}
	return exec.CommandContext(ctx, exe, append([]string{"pulse"}, args...)...), nil
}

// runPulseChild runs one mode in a child process with the same flags and reads its result as JSON.
func runPulseChild(ctx context.Context, f *pulseFlags, mode string, stderr io.Writer) (pulse.Result, error) {
	args := []string{"-mode", mode, "-json", "-isolate=false"}
	if f.bench != "" {
		args = append(args, "-quiet")
	}
	f.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "mode", "json", "isolate", "generate", "report", "html", "bench", "repeat":
		case "in", "quiet":
			if f.bench == "" {
				args = append(args, "-"+fl.Name+"="+fl.Value.String())
			}
		case "cpuprofile":
			args = append(args, "-cpuprofile="+f.profilePath(mode))
		default:
			args = append(args, "-"+fl.Name+"="+fl.Value.String())
		}
	})
	if !f.set["in"] || f.bench != "" {
		args = append(args, "-in="+f.in)
	}
	cmd, err := pulseChild(ctx, args)
	if err != nil {
		return pulse.Result{}, err
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, stderr
	if f, ok := underlying(stderr).(*os.File); ok {
		cmd.Stderr = f // its progress bar can redraw in place; the child scrubs what it writes, as this one does
	}
	runErr := cmd.Run()
	var runs []pulse.Result
	if err := json.Unmarshal(out.Bytes(), &runs); err != nil || len(runs) != 1 {
		if runErr == nil {
			runErr = fmt.Errorf("its output is not one run as JSON: %.200q", out.String())
		}
		return pulse.Result{}, fmt.Errorf("the %s run's child process: %w", mode, runErr)
	}
	runs[0].Isolated = true
	if runErr != nil && runs[0].Err == "" {
		var exit *exec.ExitError
		if !errors.As(runErr, &exit) {
			runs[0].Err = runErr.Error()
		}
	}
	return runs[0], nil
}

// generateLog writes a generated site log of -generate bytes to -in.
func generateLog(f *pulseFlags, stderr io.Writer) error {
	n, err := parseSize(f.generate)
	if err != nil || n == 0 {
		return usageError{fmt.Errorf("-generate %q: want a size like 1GiB, 256MiB, 64KB or 1000 (at most 1TiB)",
			f.generate)}
	}
	file, err := os.Create(f.in)
	if err != nil {
		return fmt.Errorf("-in: %w", err)
	}
	if _, err := io.Copy(file, data.SiteLog(n, f.seed)); err != nil {
		file.Close()
		return fmt.Errorf("-in: writing the generated log: %w", err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("-in: %w", err)
	}
	if !f.quiet {
		fmt.Fprintf(stderr, "wrote a generated site log of %s to %s\n", formatBytes(uint64(n)), f.in)
	}
	return nil
}

// underlying is the writer under w's wrappers (such as kit/redact's Writer).
func underlying(w io.Writer) io.Writer {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}

// isTerminal reports whether w is a terminal, where a progress bar can redraw in place.
func isTerminal(w io.Writer) bool {
	file, ok := underlying(w).(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
