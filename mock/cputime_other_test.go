//go:build !unix

package mock_test

import "time"

// cpuTime is not measured on this system; the req/cpu-s metric is then left out.
func cpuTime() time.Duration { return 0 }
