package cost

import (
	"testing"

	"github.com/llmperf/workbook/lessons/cost/costtest"
)

// TestCost runs the week's suite on the reference solution.
func TestCost(t *testing.T) { costtest.Run(t, Impl()) }
