package streaming

import (
	"bufio"
	"errors"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PeakRSS is the most physical memory this process has held so far (VmHWM in /proc/self/status, Linux only):
// what /usr/bin/time -v reports as "Maximum resident set size".
func PeakRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("peak RSS: no VmHWM line in /proc/self/status")
}

// HeapPeak measures how far the heap grows during some work: it collects garbage, notes the heap's size, then
// samples the bytes of live and not-yet-swept heap objects (runtime/metrics "/memory/classes/heap/objects:bytes")
// every interval until Stop. Sampling can miss a short spike, so the peak is a lower bound; a heap that grows
// with the input does not hide.
type HeapPeak struct {
	stop       chan struct{}
	done       sync.WaitGroup
	base, peak uint64
}

// StartHeapPeak collects garbage and starts sampling.
func StartHeapPeak(interval time.Duration) *HeapPeak {
	h := &HeapPeak{stop: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	runtime.GC()
	metrics.Read(s)
	h.base = s[0].Value.Uint64()
	h.done.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			metrics.Read(s)
			h.peak = max(h.peak, s[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

// Stop ends the sampling and returns the peak growth in bytes: the largest heap seen minus the heap at the start.
func (h *HeapPeak) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak - min(h.base, h.peak)
}
