package concurrency

import (
	"sync"
)

// Gauge counts how many callers are inside a region at once and remembers the peak. The zero Gauge is ready.
type Gauge struct {
	mu        sync.Mutex
	now, peak int
	entered   int
}

// Enter records one more caller inside.
func (g *Gauge) Enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now++
	g.entered++
	g.peak = max(g.peak, g.now)
}

// Leave records one caller leaving.
func (g *Gauge) Leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now--
}

// Peak is the largest number of callers that were inside at once.
func (g *Gauge) Peak() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

// Now is how many callers are inside.
func (g *Gauge) Now() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now
}

// Entered is how many times Enter was called.
func (g *Gauge) Entered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.entered
}
