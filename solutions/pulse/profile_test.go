package pulse

import (
	"bytes"
	"context"
	"io"
	"math"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// stackProfile is a CPU profile with one sample of value ms milliseconds per stack (leaf first).
func stackProfile(stacks map[string][]string, ms map[string]int64) *profile.Profile {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}}}
	funcs := map[string]*profile.Location{}
	for name, stack := range stacks {
		s := &profile.Sample{Value: []int64{1, ms[name] * 1e6}}
		for _, fn := range stack {
			loc := funcs[fn]
			if loc == nil {
				f := &profile.Function{ID: uint64(len(funcs) + 1), Name: fn}
				loc = &profile.Location{ID: uint64(len(funcs) + 1), Line: []profile.Line{{Function: f}}}
				funcs[fn] = loc
				p.Function = append(p.Function, f)
				p.Location = append(p.Location, loc)
			}
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}

func TestCategorize(t *testing.T) {
	const wb = "github.com/llmperf/workbook/"
	stacks := map[string][]string{
		"assist":    {"runtime.scanobject", "runtime.gcAssistAlloc", "runtime.mallocgc", "encoding/json.Marshal", wb + "solutions/caching.Key"},
		"instant":   {"encoding/json.(*decodeState).object", "encoding/json.Unmarshal", wb + "solutions/pulse.Instant.RoundTrip", "net/http.send"},
		"key":       {"crypto/sha256.block", wb + "solutions/caching.Key", wb + "solutions/caching.(*Client).Complete"},
		"lru":       {"runtime.mapaccess1_faststr", wb + "solutions/caching.(*LRU[go.shape.string]).Get"},
		"stack":     {"runtime.copystack", "runtime.newstack", "runtime.morestack", "encoding/json.(*encodeState).marshal"},
		"json":      {"runtime.asyncPreempt", "encoding/json.checkValid", "encoding/json.Unmarshal", "github.com/sashabaranov/go-openai.(*Client).sendRequest"},
		"sse":       {"regexp.(*Regexp).doExecute", "github.com/sashabaranov/go-openai.(*streamReader[x]).processLines"},
		"http":      {"net/http.Header.Clone", "net/http.(*Client).do"},
		"read":      {"syscall.read", "os.(*File).Read", "bufio.(*Reader).ReadSlice", wb + "solutions/streaming.Records.func1"},
		"mine":      {wb + "solutions/pulse.(*Recorder).Add"},
		"scheduler": {"runtime.futex", "runtime.findRunnable", "runtime.schedule", "runtime.mcall"},
	}
	ms := map[string]int64{"assist": 30, "instant": 200, "key": 50, "lru": 10, "stack": 20, "json": 300, "sse": 40,
		"http": 60, "read": 70, "mine": 120, "scheduler": 100}
	cp, err := Categorize(stackProfile(stacks, ms))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{CatGC: 30, CatUpstream: 200, CatKey: 60, CatSched: 120, CatJSON: 300, CatStream: 40,
		CatHTTP: 60, CatRead: 70, CatOther: 120}
	if cp.Total != 1000*time.Millisecond || cp.Samples != int64(len(stacks)) || len(cp.Shares) != len(Categories) {
		t.Fatalf("total %v, %d samples, %d shares", cp.Total, cp.Samples, len(cp.Shares))
	}
	sum := 0.0
	for _, s := range cp.Shares {
		if s.CPU != time.Duration(want[s.Category])*time.Millisecond {
			t.Errorf("%s: %v, want %dms", s.Category, s.CPU, want[s.Category])
		}
		sum += s.Share
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("shares add up to %v", sum)
	}
	if top := cp.Share(CatUpstream).Top; top != "encoding/json.(*decodeState).object" {
		t.Errorf("upstream's top function %q", top)
	}
	if top := cp.Share(CatJSON).Top; top != "encoding/json.checkValid" { // not the preemption it was interrupted by
		t.Errorf("JSON's top function %q", top)
	}
	var largest []string
	for _, s := range cp.Largest(3) {
		largest = append(largest, s.Category)
	}
	if strings.Join(largest, ",") != CatJSON+","+CatUpstream+","+CatSched {
		t.Errorf("largest %q", largest)
	}
	if _, err := Categorize(&profile.Profile{SampleType: []*profile.ValueType{{Type: "alloc_space"}}}); err == nil {
		t.Error("a profile without cpu samples: no error")
	}
}

func TestRunTakesAProfile(t *testing.T) {
	log := siteLog(t, 64<<10)
	var raw bytes.Buffer
	res, err := Run(context.Background(), ModeOptimized, NewInstant(), bytes.NewReader(log),
		Options{Profile: true, ProfileTo: &raw})
	if err != nil {
		t.Fatal(err)
	}
	if res.CPU == nil || len(res.CPU.Shares) != len(Categories) || len(res.Notes) != 0 {
		t.Fatalf("profile %+v, notes %q", res.CPU, res.Notes)
	}
	if _, err := profile.Parse(&raw); err != nil {
		t.Errorf("ProfileTo got no profile: %v", err)
	}
	c := res.Counters
	if c.CPU <= 0 || c.Allocated == 0 || c.Objects == 0 || c.HeapGoal == 0 || c.GOGC == 0 {
		t.Errorf("counters %+v", c)
	}

	// Only one CPU profile runs at a time: with another running, the run goes on and says why it has none.
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		t.Skipf("a CPU profile is already running (go test -cpuprofile?): %v", err)
	}
	defer pprof.StopCPUProfile()
	res, err = Run(context.Background(), ModeNaive, NewInstant(), bytes.NewReader(log), Options{Profile: true})
	if err != nil || res.CPU != nil || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "no CPU profile") {
		t.Errorf("with a profile already running: err %v, profile %v, notes %q", err, res.CPU, res.Notes)
	}
}

func TestCountersSettings(t *testing.T) {
	for _, tc := range []struct {
		c    Counters
		want string
	}{
		{Counters{GOGC: 100, MemLimit: math.MaxInt64}, "GOGC=100"},
		{Counters{GOGC: -1, MemLimit: 24 << 20}, "GOGC=off GOMEMLIMIT=24MiB"},
		{Counters{GOGC: 400, MemLimit: 3 << 19}, "GOGC=400 GOMEMLIMIT=1.5MiB"}, {Counters{GOGC: -1, MemLimit: 43<<20 + 12345}, "GOGC=off GOMEMLIMIT=43.0MiB"},
	} {
		if got := tc.c.Settings(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}
