//go:build !unix

package profiling

import "time"

// CPUTime is the CPU time this process has used so far. It is not read on this system and is always 0.
func CPUTime() time.Duration { return 0 }
