package cost

import "github.com/llmperf/workbook/lessons/cost"

// Impl connects this package to the week's suite (lessons/cost.Run); no need to edit.
func Impl() cost.Impl {
	return cost.Impl{
		Estimate: EstimateCost,
		Optimize: Optimize,
	}
}
