//go:build unix

package pulse

import (
	"io"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time this process has used so far, user and system.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Skipf("no CPU time to compare the profile with: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestProfileInWindows: a profile taken in windows adds up the samples of every window. The work runs until the
// process has used 600 ms of CPU (however busy the machine, so no wall-clock figure is assumed), and the profile
// must account for a good part of it.
func TestProfileInWindows(t *testing.T) {
	defer func(w time.Duration) { profileWindow = w }(profileWindow)
	profileWindow = 100 * time.Millisecond
	p, err := startCPUProfile(nil)
	if err != nil {
		t.Skip(err)
	}
	start := cpuTime(t)
	x := 0
	for wall := time.Now(); cpuTime(t)-start < 600*time.Millisecond && time.Since(wall) < time.Minute; {
		for range 1000 {
			x += len(strings.Repeat("x", x%100))
		}
	}
	used := cpuTime(t) - start
	cp, err := p.stop()
	if err != nil {
		t.Fatal(err)
	}
	if cp.Samples == 0 || cp.Total < used/3 {
		t.Errorf("%d samples, %v, over windows of 100 ms in which the process used %v of CPU: want most of it",
			cp.Samples, cp.Total, used)
	}
	// The profiler is free again.
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		t.Errorf("after stop: %v", err)
	} else {
		pprof.StopCPUProfile()
	}
}
