package pulsetest

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/mock"
)

// The bounded-memory check's log: memLogSize bytes of records of about 2 KiB, memDistinct different ones in turn
// (each with a timestamp of its own), generated as they are read.
const (
	memLogSize  = 8 << 20
	memDistinct = 16
	readAhead   = 1 << 20 // what the records exercise may read ahead of the record it yields
)

// boundedMemory runs summarize on the generated log and checks, at every read, that the bytes read are at most
// a window ahead of the records already summarized, and, at every MiB, that the live heap has grown less than
// HeapBound.
func boundedMemory(t *testing.T, summarize pulse.SummarizeFunc) error {
	srv := mock.New(mock.Config{TokenCacheBytes: 1 << 20})
	cfg := defaultConfig()
	log := newMemLog(memLogSize)
	var emitted atomic.Int64
	window := int64(readAhead + (streaming.InFlightBound(cfg.Workers)+1)*log.longest)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var aheadMax, grownMax int64
	log.onRead = func(read int64) error {
		ahead := read - log.end(int(emitted.Load()))
		aheadMax = max(aheadMax, ahead)
		if ahead > window {
			return fmt.Errorf("%d KiB of the log read with %d records summarized (%d KiB): a window of %d KiB "+
				"at most may be read ahead of the summaries (read the log as a stream of records, emit each summary "+
				"as soon as it is ready, in order, and keep at most 2·Workers records in the pipeline)", read>>10,
				emitted.Load(), log.end(int(emitted.Load()))>>10, window>>10)
		}
		if read >= log.nextCheck {
			log.nextCheck += 1 << 20
			runtime.GC()
			runtime.ReadMemStats(&ms)
			grown := int64(ms.HeapAlloc) - int64(base)
			grownMax = max(grownMax, grown)
			if grown > HeapBound {
				return fmt.Errorf("the live heap grew by %.1f MiB while %d MiB of the log were read; want less "+
					"than %d MiB whatever the log's size: keep nothing per record once it is emitted", float64(grown)/(1<<20),
					read>>20, HeapBound>>20)
			}
		}
		return nil
	}
	n := 0
	err := summarize(t.Context(), pulse.MockUpstream(srv), log, cfg, func(string) error {
		n++
		emitted.Add(1)
		return nil
	})
	if log.err != nil {
		return log.err
	}
	if err != nil {
		return err
	}
	t.Logf("read at most %d KiB ahead of the summaries (window %d KiB); the live heap grew by at most %d KiB "+
		"(bound %d KiB)", aheadMax>>10, window>>10, grownMax>>10, HeapBound>>10)
	if n != log.records {
		return fmt.Errorf("%d summaries for %d records", n, log.records)
	}
	return nil
}

// memLog generates the bounded-memory check's log as it is read, and remembers where each record ends.
type memLog struct {
	left      int64
	read      int64
	records   int
	longest   int
	ends      []int64 // ends[i] is the offset just after record i and its blank line
	pending   string
	distinct  []string
	nextCheck int64
	onRead    func(read int64) error
	err       error // the first error onRead returned: the log then ends with it
}

func newMemLog(size int64) *memLog {
	l := &memLog{left: size, nextCheck: 1 << 20}
	shortest := 1 << 30
	for i := range memDistinct {
		rec := fmt.Sprintf("site: Harbour Tower\ncrew: concrete-%d\nevent: daily_report\nnote: %s", i,
			strings.Join(strings.Fields(data.Document(300, int64(i+1))), " "))
		l.distinct = append(l.distinct, rec)
		l.longest = max(l.longest, len(rec)+40) // with its timestamp line and blank line
		shortest = min(shortest, len(rec))
	}
	l.ends = make([]int64, 0, size/int64(shortest)+1) // made before the heap is measured
	return l
}

func (l *memLog) end(records int) int64 {
	if records == 0 {
		return 0
	}
	return l.ends[min(records, len(l.ends))-1]
}

func (l *memLog) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.pending == "" {
		if l.left <= 0 {
			return 0, io.EOF
		}
		i := l.records
		rec := fmt.Sprintf("timestamp: 2025-03-%02dT%02d:%02d:00Z\n%s\n\n", 3+i/1440%28, i/60%24, i%60,
			l.distinct[i%memDistinct])
		if int64(len(rec)) > l.left { // no room for another whole record: the log ends a little short
			l.left = 0
			return 0, io.EOF
		}
		l.left -= int64(len(rec))
		l.pending = rec
		l.records++
		l.ends = append(l.ends, l.read+int64(len(rec)))
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	l.read += int64(n)
	if err := l.onRead(l.read); err != nil {
		l.err = err
		return n, err
	}
	return n, nil
}
