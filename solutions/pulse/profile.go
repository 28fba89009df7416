package pulse

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"
	"github.com/llmperf/workbook/lessons/profiling"
)

// The categories of a run's CPU profile, in the order a sample is tested against them: a sample goes to the
// first category one of whose functions is anywhere on its stack, and to CatOther if none is.
const (
	CatGC       = "GC"                  // the collector: marking (background and assists), sweeping, write barriers
	CatUpstream = "upstream (model)"    // the model's side: Instant, or the in-process mock and its tokenizer
	CatKey      = "cache key & lookups" // caching.Key hashing the request, and the LRU's Get and Put
	CatSched    = "scheduling"          // goroutines: switching, channels, locks, starting them, growing stacks
	CatJSON     = "JSON encode/decode"  // encoding/json: requests marshalled, answers and stream chunks decoded
	CatStream   = "stream parsing"      // go-openai's SSE reader: lines, prefixes (regexps), buffers
	CatHTTP     = "HTTP client"         // net/http and go-openai building requests and reading responses
	CatRead     = "reading the log"     // the file read and split into records
	CatOther    = "other"               // the rest: the program's own work, the pipeline, the recorder, …
	catPrefix   = "github.com/llmperf/workbook/"
	openaiPkg   = "github.com/sashabaranov/go-openai"
	profileRate = 100 // samples a second: runtime/pprof's rate
)

// Categories is every category, in test order.
var Categories = []string{CatGC, CatUpstream, CatKey, CatSched, CatJSON, CatStream, CatHTTP, CatRead, CatOther}

// categoryFuncs lists, per category, prefixes of the function names that put a sample in it.
var categoryFuncs = map[string][]string{
	CatGC: {"runtime.gc", "gcWriteBarrier", "runtime.wbBuf", "runtime.bgsweep", "runtime.bgscavenge",
		"runtime.sweepone", "runtime.(*sweepLocked)", "runtime.markroot", "runtime.scanobject", "runtime.scanstack",
		"runtime.(*mheap).reclaim", "runtime.deductSweepCredit", "runtime.(*gcWork)", "runtime.greyobject",
		"runtime.(*gcControllerState)", "runtime.stopTheWorld", "runtime.startTheWorld"},
	CatUpstream: {catPrefix + "solutions/pulse.Instant.", catPrefix + "mock."},
	CatKey:      {catPrefix + "solutions/caching.Key", catPrefix + "solutions/caching.(*LRU"},
	CatSched: {"runtime.mcall", "runtime.park_m", "runtime.schedule", "runtime.findRunnable", "runtime.goschedImpl",
		"runtime.gopreempt_m", "runtime.newproc", "runtime.goexit0", "runtime.newstack", "runtime.morestack",
		"runtime.copystack", "runtime.chansend", "runtime.chanrecv", "runtime.selectgo", "runtime.goready",
		"runtime.ready", "runtime.wakep", "runtime.startm", "runtime.stopm", "runtime.sysmon", "runtime.semacquire",
		"runtime.semrelease", "sync.(*Mutex).lockSlow", "sync.(*Mutex).unlockSlow", "runtime.notesleep",
		"runtime.notewakeup", "runtime.mstart", "runtime.gopark", "runtime.netpoll", "context.(*cancelCtx).propagateCancel",
		"runtime.closechan", "runtime.lock2", "runtime.unlock2"},
	CatJSON:   {"encoding/json."},
	CatStream: {openaiPkg + ".(*streamReader", "bufio.NewReader"},
	CatHTTP:   {"net/http.", "net/textproto.", "net/url.", openaiPkg + ".(*Client).", openaiPkg + "/internal.(*HTTPRequestBuilder)", catPrefix + "solutions/concurrency.(*Transport)"},
	CatRead:   {catPrefix + "solutions/streaming.Records", "os.(*File).Read", "io.ReadAll", catPrefix + "solutions/pulse.splitRecords"},
}

// CPUShare is one category's part of a CPU profile.
type CPUShare struct {
	Category string        `json:"category"`
	CPU      time.Duration `json:"cpu_ns"` // sampled CPU time in the category
	Share    float64       `json:"share"`  // of the profile's total, 0 to 1
	Top      string        `json:"top"`    // the function with the most samples of its own in the category
}

// CPUProfile is a run's CPU profile, grouped into Categories.
type CPUProfile struct {
	Total   time.Duration `json:"total_ns"` // CPU time sampled: every thread's, GC and the model's included
	Samples int64         `json:"samples"`
	Shares  []CPUShare    `json:"shares"` // one per category, in Categories order
}

// Share returns the category's share, or the zero CPUShare if the profile has none.
func (p *CPUProfile) Share(category string) CPUShare {
	if p != nil {
		for _, s := range p.Shares {
			if s.Category == category {
				return s
			}
		}
	}
	return CPUShare{Category: category}
}

// Largest returns the n categories with the most CPU, largest first, CatOther last whatever its size.
func (p *CPUProfile) Largest(n int) []CPUShare {
	if p == nil {
		return nil
	}
	var out []CPUShare
	for _, s := range p.Shares {
		if s.Category != CatOther && s.CPU > 0 {
			out = append(out, s)
		}
	}
	for i := 1; i < len(out); i++ { // a handful: insertion sort keeps ties in category order
		for j := i; j > 0 && out[j].CPU > out[j-1].CPU; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out[:min(n, len(out))]
}

// Categorize groups the CPU samples of p into Categories.
func Categorize(p *profile.Profile) (*CPUProfile, error) {
	var t tally
	if err := t.add(p); err != nil {
		return nil, err
	}
	return t.result(), nil
}

// tally adds up the categories of one or more profiles.
type tally struct {
	cpu     map[string]int64
	flat    map[string]map[string]int64 // category → leaf function → CPU
	total   int64
	samples int64
	names   []string
}

func (t *tally) add(p *profile.Profile) error {
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("pulse: the profile has no cpu samples")
	}
	if t.cpu == nil {
		t.cpu, t.flat = map[string]int64{}, map[string]map[string]int64{}
	}
	for _, s := range p.Sample {
		v := s.Value[idx]
		t.names = t.names[:0]
		for _, loc := range s.Location { // leaf first
			for _, line := range loc.Line { // inlined calls first
				if line.Function != nil {
					t.names = append(t.names, line.Function.Name)
				}
			}
		}
		cat := CategoryOf(t.names)
		t.cpu[cat] += v
		t.total += v
		t.samples++
		if leaf := leafOf(t.names); leaf != "" {
			if t.flat[cat] == nil {
				t.flat[cat] = map[string]int64{}
			}
			t.flat[cat][leaf] += v
		}
	}
	return nil
}

func (t *tally) result() *CPUProfile {
	out := &CPUProfile{Total: time.Duration(t.total), Samples: t.samples}
	for _, c := range Categories {
		s := CPUShare{Category: c, CPU: time.Duration(t.cpu[c])}
		if t.total > 0 {
			s.Share = float64(s.CPU) / float64(t.total)
		}
		var best int64
		for fn, v := range t.flat[c] {
			if v > best || v == best && fn < s.Top {
				s.Top, best = fn, v
			}
		}
		out.Shares = append(out.Shares, s)
	}
	return out
}

// leafOf is the function a sample was in, skipping runtime.asyncPreempt: a sample can land in the call the
// runtime injects to preempt a goroutine, and the function it interrupted is the one that was running.
func leafOf(stack []string) string {
	for _, fn := range stack {
		if fn != "runtime.asyncPreempt" {
			return fn
		}
	}
	return ""
}

// CategoryOf is the category of a sample whose stack has these functions, leaf first.
func CategoryOf(stack []string) string {
	for _, c := range Categories[:len(Categories)-1] {
		for _, fn := range stack {
			for _, prefix := range categoryFuncs[c] {
				if strings.HasPrefix(fn, prefix) {
					return c
				}
			}
		}
	}
	return CatOther
}

// profileWindow is how long the profiler runs before its samples are added up and it starts again: runtime/pprof
// keeps every distinct stack it has seen until the profile stops, so a profile of a long run grows with the
// run — in a program whose heap is a few MiB, enough to show in its memory and in how often it collects.
var profileWindow = 5 * time.Second

// cpuProfiler takes a CPU profile of a run with runtime/pprof, in windows of profileWindow whose categories it
// adds up; when the caller wants the profile itself (to), it takes one profile of the whole run instead.
type cpuProfiler struct {
	to    io.Writer
	buf   bytes.Buffer
	t     tally
	err   error
	quit  chan struct{}
	ended chan struct{}
}

// startCPUProfile starts profiling; the error says why it could not (a profile already running, say).
func startCPUProfile(to io.Writer) (*cpuProfiler, error) {
	p := &cpuProfiler{to: to, quit: make(chan struct{}), ended: make(chan struct{})}
	if err := pprof.StartCPUProfile(&p.buf); err != nil {
		return nil, fmt.Errorf("pulse: no CPU profile of this run: %w", err)
	}
	if to != nil {
		close(p.ended)
		return p, nil
	}
	go func() {
		defer close(p.ended)
		tick := time.NewTicker(profileWindow)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-tick.C:
			}
			p.window()
			if p.err != nil {
				return
			}
			if err := pprof.StartCPUProfile(&p.buf); err != nil { // someone else started one in between
				p.err = fmt.Errorf("pulse: the CPU profile stopped early: %w", err)
				return
			}
		}
	}()
	return p, nil
}

// window stops the profile and adds up its samples.
func (p *cpuProfiler) window() {
	pprof.StopCPUProfile()
	defer p.buf.Reset()
	if p.to != nil {
		if _, err := p.to.Write(p.buf.Bytes()); err != nil {
			p.err = fmt.Errorf("pulse: writing the CPU profile: %w", err)
			return
		}
	}
	prof, err := profile.Parse(&p.buf)
	if err == nil {
		err = p.t.add(prof)
	}
	if err != nil {
		p.err = fmt.Errorf("pulse: reading the CPU profile: %w", err)
	}
}

// stop ends the profile, writes it to the caller's writer if any, and returns its categories.
func (p *cpuProfiler) stop() (*CPUProfile, error) {
	close(p.quit)
	<-p.ended
	if p.err == nil {
		p.window()
	}
	if p.err != nil {
		return nil, p.err
	}
	return p.t.result(), nil
}

// Counters are what the Go runtime counted during a run (runtime/metrics), and the process's CPU time.
type Counters struct {
	CPU       time.Duration `json:"cpu_ns"`        // user + system CPU time of the process (getrusage)
	GCCycles  uint64        `json:"gc_cycles"`     // garbage collections completed
	GCCPU     time.Duration `json:"gc_cpu_ns"`     // the runtime's estimate of CPU spent collecting (from wall time: a busy machine inflates it)
	Allocated uint64        `json:"alloc_bytes"`   // bytes allocated on the heap
	Objects   uint64        `json:"alloc_objects"` // heap objects allocated
	HeapGoal  uint64        `json:"heap_goal"`     // the collector's heap goal when the run ended
	LiveHeap  uint64        `json:"live_heap"`     // heap bytes marked live by the last collection
	GOGC      int64         `json:"gogc"`          // the GOGC in effect (-1: off)
	MemLimit  int64         `json:"memlimit"`      // the GOMEMLIMIT in effect (math.MaxInt64: none)
}

var counterNames = []string{"/gc/cycles/total:gc-cycles", "/cpu/classes/gc/total:cpu-seconds",
	"/gc/heap/allocs:bytes", "/gc/heap/allocs:objects", "/gc/heap/goal:bytes", "/gc/heap/live:bytes",
	"/gc/gogc:percent", "/gc/gomemlimit:bytes"}

func readCounters() Counters {
	s := make([]metrics.Sample, len(counterNames))
	for i, n := range counterNames {
		s[i].Name = n
	}
	metrics.Read(s)
	u := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	c := Counters{CPU: profiling.CPUTime(), GCCycles: u(0), Allocated: u(2), Objects: u(3), HeapGoal: u(4),
		LiveHeap: u(5), GOGC: int64(u(6)), MemLimit: int64(u(7))}
	if s[1].Value.Kind() == metrics.KindFloat64 {
		c.GCCPU = time.Duration(s[1].Value.Float64() * float64(time.Second))
	}
	return c
}

// since is the counters of the work between start and c: totals as differences, settings and gauges as of c.
func (c Counters) since(start Counters) Counters {
	c.CPU -= start.CPU
	c.GCCycles -= start.GCCycles
	c.GCCPU -= start.GCCPU
	c.Allocated -= start.Allocated
	c.Objects -= start.Objects
	return c
}

// Settings describes the collector's settings as GOGC and GOMEMLIMIT would: "GOGC=100", "GOGC=off
// GOMEMLIMIT=24MiB".
func (c Counters) Settings() string {
	s := "GOGC=" + strconv.FormatInt(c.GOGC, 10)
	if c.GOGC < 0 {
		s = "GOGC=off"
	}
	if c.MemLimit > 0 && c.MemLimit < math.MaxInt64 {
		digits := 1
		if c.MemLimit%(1<<20) == 0 {
			digits = 0
		}
		s += " GOMEMLIMIT=" + strconv.FormatFloat(float64(c.MemLimit)/(1<<20), 'f', digits, 64) + "MiB"
	}
	return s
}
