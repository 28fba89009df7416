package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		label       string
		done, total int
		elapsed     time.Duration
		width       int
		want        string
	}{
		{"run", 0, 10, 0, 10, "run [..........]  0/10  0%  0s"},
		{"run", 3, 10, 3 * time.Second, 10, "run [###.......]  3/10  30%  3s  ~7s left"},
		{"", 10, 10, 1500 * time.Millisecond, 4, "[####]  10/10  100%  1.5s"},
		{"over", 12, 10, time.Second, 4, "over [####]  12/10  100%  1s"},
		{"neg", -1, 10, time.Second, 4, "neg [....]  -1/10  0%  1s"},
		{"stream", 42, 0, 2 * time.Second, 10, "stream 42 done  2s  21.0/s"},
		{"stream", 0, -1, 0, 10, "stream 0 done  0s"},
		{"long", 1, 3, 90 * time.Second, 3, "long [#..]  1/3  33%  1m30s  ~3m0s left"},
	} {
		if got := Text(tc.label, tc.done, tc.total, tc.elapsed, tc.width); got != tc.want {
			t.Errorf("Text(%q, %d, %d, %v) =\n%q, want\n%q", tc.label, tc.done, tc.total, tc.elapsed, got, tc.want)
		}
	}
}

func TestHTML(t *testing.T) {
	h := HTML("<load>", 5, 20, time.Second)
	for _, want := range []string{"&lt;load&gt;", `<progress value="5" max="20">`, "5/20", "25%", "~3s left"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q: %s", want, h)
		}
	}
	if h := HTML("x", 3, 0, time.Second); !strings.Contains(h, "<progress></progress> 3 done") {
		t.Errorf("unknown total: %s", h)
	}
}

func TestFinalLineOnly(t *testing.T) {
	var buf bytes.Buffer
	b := NewText(&buf, "copy", 4, false)
	for range 4 {
		b.Add(1)
	}
	if buf.Len() != 0 {
		t.Errorf("non-live bar wrote before Done: %q", buf.String())
	}
	b.Done()
	b.Done()
	b.Add(1)
	if got := buf.String(); !strings.HasPrefix(got, "copy [") || !strings.Contains(got, "4/4  100%") ||
		strings.Count(got, "\n") != 1 || strings.Contains(got, "\r") {
		t.Errorf("final output %q", got)
	}
}

func TestLiveThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		b := NewText(&buf, "work", 1000, true)
		for range 1000 {
			time.Sleep(time.Millisecond) // 1 s of virtual time in all
			b.Add(1)
		}
		b.Done()
		out := buf.String()
		draws := strings.Count(out, "\r")
		// One redraw per Every (100 ms) over 1 s, plus the final one.
		if draws < 9 || draws > 12 {
			t.Errorf("%d redraws in 1 s, want about 11:\n%q", draws, out)
		}
		if !strings.HasSuffix(out, "1000/1000  100%  1s\x1b[K\n") {
			t.Errorf("final line: %q", out[strings.LastIndex(out, "\r"):])
		}
	})
}

func TestConcurrentAdd(t *testing.T) {
	var buf bytes.Buffer
	b := NewText(&buf, "par", 800, true)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				b.Add(1)
			}
		})
	}
	wg.Wait()
	b.Done()
	if !strings.Contains(buf.String(), "800/800") {
		t.Errorf("lost counts: %q", buf.String())
	}
}

func TestZeroBar(t *testing.T) {
	var b Bar
	b.out = new(bytes.Buffer) // keep the test's stderr clean; otherwise the zero Bar draws there
	b.Add(3)
	b.Done()
	if got := b.out.(*bytes.Buffer).String(); !strings.Contains(got, "3 done") {
		t.Errorf("zero Bar wrote %q", got)
	}
}

func BenchmarkAdd(b *testing.B) {
	var buf bytes.Buffer
	p := NewText(&buf, "bench", b.N, true)
	b.ReportAllocs()
	for b.Loop() {
		p.Add(1)
	}
	p.Done()
}

func TestDoneEndsAtTotalOrSaysStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var full, short bytes.Buffer
		a, b := NewText(&full, "naive", 10, false), NewText(&short, "naive", 10, false)
		for range 10 {
			time.Sleep(100 * time.Millisecond)
			a.Add(1)
		}
		b.Add(3) // the job failed after 3 of 10
		time.Sleep(time.Second)
		a.Done()
		b.Done()
		if got := full.String(); got != "naive [##############################]  10/10  100%  2s\n" {
			t.Errorf("finished bar: %q", got)
		}
		if got := short.String(); got != "naive [#########.....................]  3/10  30%  2s  stopped\n" {
			t.Errorf("stopped bar: %q, want the count reached, \"stopped\" and no time left", got)
		}
	})
	if h := html("x", 3, 10, time.Second, true); !strings.Contains(h, "3/10 · 30% · 1s · stopped") || strings.Contains(h, "left") {
		t.Errorf("final HTML of a stopped bar: %s", h)
	}
	if h := html("x", 10, 10, time.Second, true); !strings.Contains(h, "10/10 · 100% · 1s</div>") {
		t.Errorf("final HTML of a finished bar: %s", h)
	}
}
