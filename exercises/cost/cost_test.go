package cost

import (
	"testing"

	"github.com/llmperf/workbook/lessons/cost/costtest"
)

// TestCost runs week 5's suite on your code: go test ./exercises/cost, or one exercise with
// go run ./cmd/workbook check estimate. No need to edit.
func TestCost(t *testing.T) { costtest.Run(t, Impl()) }
