package scale_test

import (
	"testing"

	"github.com/llmperf/workbook/lessons/scale/scaletest"
	"github.com/llmperf/workbook/solutions/scale"
)

// TestScale runs the week's suite on the reference solution.
func TestScale(t *testing.T) { scaletest.Run(t, scale.Impl()) }
