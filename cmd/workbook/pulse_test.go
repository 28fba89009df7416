package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/pulse"
)

func TestPulseCommand(t *testing.T) {
	dir := t.TempDir()
	log, txt, html := filepath.Join(dir, "site.log"), filepath.Join(dir, "r.txt"), filepath.Join(dir, "r.html")
	var out, errOut bytes.Buffer
	args := []string{"pulse", "-generate", "16KiB", "-in", log, "-mode", "both", "-isolate=false",
		"-upstream", "instant", "-report", txt, "-html", html}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	report, err := os.ReadFile(txt)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"naive", "optimized", "wall time", "model requests", "cost", "peak RSS",
		"Same summaries in both runs: yes", "shared process"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	if info, err := os.Stat(html); err != nil || info.Size() < 1000 {
		t.Errorf("HTML report: %v", err)
	}
	if !strings.Contains(out.String(), html) || !strings.Contains(errOut.String(), "100%") {
		t.Errorf("stdout %q should name the HTML file; stderr %q should end a progress bar", out.String(),
			errOut.String())
	}
}

func TestPulseJSONWithFaults(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "") // the default model is the mock only without a key
	log := filepath.Join(t.TempDir(), "site.log")
	var out, errOut bytes.Buffer
	args := []string{"pulse", "-generate", "8KiB", "-in", log, "-mode", "optimized", "-json", "-quiet",
		"-ttft", "1ms", "-inter-token", "0s", "-fault-rate", "0.2", "-faults", "500,drop", "-attempts", "20"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var runs []pulse.Result
	if err := json.Unmarshal(out.Bytes(), &runs); err != nil || len(runs) != 1 {
		t.Fatalf("output %.200q: %v", out.String(), err)
	}
	if r := runs[0]; r.Mode != "optimized" || r.Records == 0 || r.Retries == 0 || r.Final == "" {
		t.Errorf("run %+v: want records, retries and a site summary", r)
	}
	if errOut.Len() != 0 {
		t.Errorf("-quiet wrote %q", errOut.String())
	}

	out.Reset()
	args = []string{"pulse", "-in", log, "-mode", "naive", "-quiet", "-html", "", "-ttft", "0s",
		"-inter-token", "0s", "-fault-rate", "0.5", "-faults", "503"}
	if code := run(context.Background(), args, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "the naive run failed") || !strings.Contains(out.String(), "error") {
		t.Errorf("naive with faults: exit %d, stderr %q", code, errOut.String())
	}
}

// TestPulseChildProcess runs one mode when the test binary is started as pulse's child process (see
// TestPulseIsolated); otherwise it does nothing.
func TestPulseChildProcess(t *testing.T) {
	args := os.Getenv("PULSE_CHILD_ARGS")
	if args == "" {
		t.Skip("only runs as pulse's child process")
	}
	var list []string
	if err := json.Unmarshal([]byte(args), &list); err != nil {
		t.Fatal(err)
	}
	os.Exit(run(context.Background(), append([]string{"pulse"}, list...), os.Stdout, os.Stderr))
}

func TestPulseIsolated(t *testing.T) {
	old := pulseChild
	defer func() { pulseChild = old }()
	pulseChild = func(ctx context.Context, args []string) (*exec.Cmd, error) {
		list, _ := json.Marshal(args)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPulseChildProcess$")
		cmd.Env = append(os.Environ(), "PULSE_CHILD_ARGS="+string(list))
		return cmd, nil
	}
	log := filepath.Join(t.TempDir(), "site.log")
	var out, errOut bytes.Buffer
	args := []string{"pulse", "-generate", "8KiB", "-in", log, "-upstream", "instant", "-json", "-quiet"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var runs []pulse.Result
	if err := json.Unmarshal(out.Bytes(), &runs); err != nil || len(runs) != 2 {
		t.Fatalf("output %.200q: %v", out.String(), err)
	}
	for _, r := range runs {
		if !r.Isolated || r.PeakRSS <= 0 || r.Records == 0 {
			t.Errorf("%s: isolated %v, peak RSS %d, %d records", r.Mode, r.Isolated, r.PeakRSS, r.Records)
		}
	}
	if runs[0].Mode != "naive" || runs[1].Mode != "optimized" || runs[0].Digest != runs[1].Digest {
		t.Errorf("runs %s and %s, digests %s and %s", runs[0].Mode, runs[1].Mode, runs[0].Digest, runs[1].Digest)
	}
}

// childHook makes pulse's child processes this test binary, running TestPulseChildProcess.
func childHook(t *testing.T) {
	old := pulseChild
	t.Cleanup(func() { pulseChild = old })
	pulseChild = func(ctx context.Context, args []string) (*exec.Cmd, error) {
		list, _ := json.Marshal(args)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPulseChildProcess$")
		cmd.Env = append(os.Environ(), "PULSE_CHILD_ARGS="+string(list))
		return cmd, nil
	}
}

func TestPulseBench(t *testing.T) {
	childHook(t)
	t.Setenv("TMPDIR", t.TempDir())
	var out, errOut bytes.Buffer
	args := []string{"pulse", "-bench", "8KiB,12KiB", "-repeat", "2", "-upstream", "instant", "-cpuprofile",
		filepath.Join(t.TempDir(), "cpu.pprof")}
	code := run(context.Background(), args, &out, &errOut)
	text := out.String()
	for _, want := range []string{"8.0 KiB log", "12.0 KiB log", "medians of 2 run(s) per mode", "optimized/naive wall",
		"target ≤ 0.80×", "target ≤ 32 MiB", "MB/s", "cache hits"} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "  naive  ") < 4 || strings.Count(text, "  optimized  ") < 4 {
		t.Errorf("want 2 runs of each mode per size:\n%s", text)
	}
	// On logs this small the processes' start-up decides the wall times: a missed target is not a failure of
	// the command, but it must say so.
	if code != 0 && !strings.Contains(errOut.String(), "a target was missed") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "pulse-bench-*")); len(left) != 0 {
		t.Errorf("logs left behind: %q", left)
	}
}

func TestPulseProfileAndGCBudget(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set for this test process: the GC budget defers to them")
	}
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	dir := t.TempDir()
	log, prof := filepath.Join(dir, "site.log"), filepath.Join(dir, "cpu.pprof")
	var out, errOut bytes.Buffer
	args := []string{"pulse", "-generate", "16KiB", "-in", log, "-mode", "both", "-isolate=false", "-upstream",
		"instant", "-json", "-quiet", "-cpuprofile", prof}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var runs []pulse.Result
	if err := json.Unmarshal(out.Bytes(), &runs); err != nil || len(runs) != 2 {
		t.Fatalf("output %.200q: %v", out.String(), err)
	}
	for _, r := range runs {
		if r.CPU == nil || len(r.CPU.Shares) != len(pulse.Categories) {
			t.Errorf("%s: no CPU profile by category", r.Mode)
		}
		if info, err := os.Stat(filepath.Join(dir, "cpu-"+r.Mode+".pprof")); err != nil || info.Size() == 0 {
			t.Errorf("%s: -cpuprofile wrote no file: %v", r.Mode, err)
		}
	}
	// The optimized run had the GC budget, the naive one the runtime's defaults; both are restored after.
	if n, o := runs[0].Counters.Settings(), runs[1].Counters.Settings(); n != "GOGC=100" || !strings.HasPrefix(o, "GOGC=off GOMEMLIMIT=") {
		t.Errorf("GC settings %q and %q", n, o)
	}
	if pct := debug.SetGCPercent(100); pct != 100 {
		t.Errorf("GOGC left at %d", pct)
	}

	out.Reset()
	args = []string{"pulse", "-in", log, "-mode", "optimized", "-upstream", "instant", "-json", "-quiet",
		"-memlimit", "0", "-profile=false"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	runs = nil
	if err := json.Unmarshal(out.Bytes(), &runs); err != nil || len(runs) != 1 {
		t.Fatalf("output %.200q: %v", out.String(), err)
	}
	if s := runs[0].Counters.Settings(); s != "GOGC=100" || runs[0].CPU != nil {
		t.Errorf("-memlimit 0 -profile=false: settings %q, profile %v", s, runs[0].CPU)
	}
}

func TestPulseBadInput(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	dir := t.TempDir()
	log := filepath.Join(dir, "site.log")
	if err := os.WriteFile(log, []byte("a\n\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"pulse"}, 2, "-in is required"},
		{[]string{"pulse", "-in", filepath.Join(dir, "missing.log")}, 1, "missing.log"},
		{[]string{"pulse", "-in", dir}, 1, "is a folder"},
		{[]string{"pulse", "-in", log, "-mode", "fast"}, 2, `-mode is "fast"`},
		{[]string{"pulse", "-in", log, "-mode", "none"}, 2, "-mode none does nothing without -generate"},
		{[]string{"pulse", "-in", log, "-upstream", "gpt"}, 2, `-upstream is "gpt"`},
		{[]string{"pulse", "-in", log, "-upstream", "env"}, 2, "-upstream env needs OPENAI_API_KEY"},
		{[]string{"pulse", "-in", log, "-workers", "0"}, 2, "-workers is 0"},
		{[]string{"pulse", "-in", log, "-batch", "0"}, 2, "-batch is 0"},
		{[]string{"pulse", "-in", log, "-group", "1"}, 2, "-group is 1"},
		{[]string{"pulse", "-in", log, "-rpm", "-5"}, 2, "-rpm -5"},
		{[]string{"pulse", "-in", log, "-fault-rate", "2"}, 2, "-fault-rate is 2"},
		{[]string{"pulse", "-in", log, "-faults", "500,gremlins"}, 2, "-faults"},
		{[]string{"pulse", "-in", log, "-upstream", "instant", "-ttft", "1s"}, 2, "-ttft sets the mock"},
		{[]string{"pulse", "-in", log, "-generate", "lots"}, 2, `-generate "lots"`},
		{[]string{"pulse", "-in", filepath.Join(dir, "no", "such", "dir.log"), "-generate", "1KiB"}, 1, "-in"},
		{[]string{"pulse", "-in", log, "-ttft", "soon"}, 2, "-ttft"},
		{[]string{"pulse", "-in", log, "extra"}, 2, "pulse takes no arguments"},
		{[]string{"pulse", "-in", log, "-memlimit", "lots"}, 2, `-memlimit "lots"`},
		{[]string{"pulse", "-in", log, "-memlimit", "1MiB"}, 2, "at least 4MiB"},
		{[]string{"pulse", "-bench", "256MiB,big"}, 2, `-bench "256MiB,big"`},
		{[]string{"pulse", "-bench", "1KiB", "-repeat", "0"}, 2, "-repeat is 0"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, &out, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", c.args[1:], code, errOut.String(), c.code, c.msg)
		}
	}
}

// TestPulseFromEnvironment runs pulse against a provider named only by the environment — an OpenAI-compatible
// server on a real socket — as a learner with OPENAI_API_KEY set would, and checks that the calls reached it
// and that the key shows nowhere.
func TestPulseFromEnvironment(t *testing.T) {
	srv := mock.New(mock.Config{})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	const key = "sk-test-never-shown-4711"
	t.Setenv("OPENAI_API_KEY", key)
	t.Setenv("OPENAI_BASE_URL", hs.URL+"/v1")
	t.Setenv("OPENAI_MODEL", "")
	dir := t.TempDir()
	log, txt, html := filepath.Join(dir, "site.log"), filepath.Join(dir, "r.txt"), filepath.Join(dir, "r.html")

	var out, errOut bytes.Buffer
	args := []string{"pulse", "-generate", "8KiB", "-in", log, "-mode", "optimized", "-report", txt, "-html", html}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	report, _ := os.ReadFile(txt)
	page, _ := os.ReadFile(html)
	provider := "openai at " + hs.URL + "/v1"
	if !strings.Contains(string(report), provider) || !strings.Contains(errOut.String(), "model: "+provider) {
		t.Errorf("the report and stderr should name %q:\n%s\n%s", provider, report, errOut.String())
	}
	for name, text := range map[string]string{"stdout": out.String(), "stderr": errOut.String(),
		"text report": string(report), "HTML report": string(page)} {
		if strings.Contains(text, key) {
			t.Errorf("the %s shows the API key", name)
		}
	}
	sent := srv.Stats().ByEndpoint[mock.PathChat]
	if sent == 0 {
		t.Fatal("no request reached the provider")
	}

	// -json counts the requests of one run: all of them reached the server. Mock flags are refused.
	srv.ResetStats()
	out.Reset()
	args = []string{"pulse", "-in", log, "-mode", "naive", "-json", "-quiet"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var runs []pulse.Result
	if err := json.Unmarshal(out.Bytes(), &runs); err != nil || len(runs) != 1 {
		t.Fatalf("output %.200q: %v", out.String(), err)
	}
	if got := srv.Stats().ByEndpoint[mock.PathChat]; runs[0].Requests != got || runs[0].Upstream != provider {
		t.Errorf("the run sent %d requests to %q; the server saw %d", runs[0].Requests, runs[0].Upstream, got)
	}
	errOut.Reset()
	args = []string{"pulse", "-in", log, "-ttft", "1s"}
	if code := run(context.Background(), args, &out, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), "add -upstream mock") {
		t.Errorf("-ttft with OPENAI_API_KEY set: exit %d, stderr %q", code, errOut.String())
	}
}

// TestPulseBudget: on a real provider, pulse prints what the run would cost before sending anything, and refuses
// a run over LLMPERF_BUDGET with a message that says how to raise it.
func TestPulseBudget(t *testing.T) {
	srv := mock.New(mock.Config{})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	t.Setenv("OPENAI_API_KEY", "sk-test-budget-4711")
	t.Setenv("OPENAI_BASE_URL", hs.URL+"/v1")
	t.Setenv("OPENAI_MODEL", "")
	t.Setenv("LLMPERF_BUDGET", "0.0001")
	log := filepath.Join(t.TempDir(), "site.log")
	var out, errOut bytes.Buffer
	args := []string{"pulse", "-generate", "64KiB", "-in", log, "-mode", "both", "-html", ""}
	code := run(context.Background(), args, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "estimated") || !strings.Contains(errOut.String(), "LLMPERF_BUDGET=") {
		t.Errorf("exit %d; want a refusal that prices the run and names LLMPERF_BUDGET:\n%s", code, errOut.String())
	}
	if got := srv.Stats().Requests; got != 0 {
		t.Errorf("%d requests reached the provider before the refusal", got)
	}
}
