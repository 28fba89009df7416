package cost

import (
	"testing"

	lessonscost "github.com/llmperf/workbook/lessons/cost"
)

// TestCost runs week 5's suite on your code: go test ./exercises/cost, or one exercise with
// go run ./cmd/workbook check estimate.
func TestCost(t *testing.T) { lessonscost.Run(t, Impl()) }
