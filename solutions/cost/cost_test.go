package cost

import (
	"testing"

	lessonscost "github.com/llmperf/workbook/lessons/cost"
)

func TestCost(t *testing.T) { lessonscost.Run(t, Impl()) }
