package solutions_test

import (
	"testing"

	lessonscost "github.com/llmperf/workbook/lessons/cost"
	solcost "github.com/llmperf/workbook/solutions/cost"
)

func TestCost(t *testing.T) { lessonscost.Run(t, solcost.Impl()) }
