//go:build unix

package profiling

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time (user and system, all threads) this process has used so far. The difference of two
// readings is the CPU a piece of work cost, whatever the wall clock did meanwhile.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
