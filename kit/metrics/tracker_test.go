package metrics

import (
	"sync"
	"testing"
	"time"
)

func TestTrackerConcurrent(t *testing.T) {
	var tr Tracker
	const workers, each = 16, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				tr.Add(Call{Latency: time.Duration(w*each+i+1) * time.Microsecond, CompletionTokens: 1})
				if i%100 == 0 {
					_ = tr.Summary() // readers run alongside writers
					_ = tr.Calls()
				}
			}
		})
	}
	wg.Wait()
	s := tr.Summary()
	if s.Count != workers*each || s.CompletionTokens != workers*each {
		t.Fatalf("Count = %d, tokens = %d; want %d", s.Count, s.CompletionTokens, workers*each)
	}
	if s.Max != workers*each*time.Microsecond || s.P50 != workers*each/2*time.Microsecond {
		t.Errorf("Max = %v, P50 = %v", s.Max, s.P50)
	}
	if len(tr.Latencies()) != workers*each || tr.Len() != workers*each {
		t.Error("Latencies or Len lost calls")
	}
	tr.Reset()
	if tr.Len() != 0 || tr.Summary().Count != 0 {
		t.Error("Reset kept calls")
	}
}

func TestCallsIsACopy(t *testing.T) {
	var tr Tracker
	tr.Add(Call{Label: "a"})
	cs := tr.Calls()
	cs[0].Label = "changed"
	if tr.Calls()[0].Label != "a" {
		t.Error("Calls returned the tracker's own slice")
	}
}

func BenchmarkAdd(b *testing.B) {
	var tr Tracker
	c := Call{Label: "x", Latency: time.Millisecond, CompletionTokens: 10}
	b.ReportAllocs()
	for b.Loop() {
		tr.Add(c)
	}
}

func BenchmarkAddParallel(b *testing.B) {
	var tr Tracker
	c := Call{Label: "x", Latency: time.Millisecond, CompletionTokens: 10}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tr.Add(c)
		}
	})
}

func BenchmarkSummary10k(b *testing.B) {
	var tr Tracker
	for i := range 10_000 {
		tr.Add(Call{Latency: time.Duration(i*7919%10_000) * time.Microsecond, TTFT: time.Millisecond})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = tr.Summary()
	}
}
