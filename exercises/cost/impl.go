package cost

import "github.com/llmperf/workbook/lessons/cost"

// Impl connects this package to the week's suite (lessons/cost/costtest.Run); no need to edit.
func Impl() cost.Impl {
	return cost.Impl{
		Estimate: EstimateCost,
		Optimize: Optimize,
		NewRouter: func(cfg cost.RouterConfig) (cost.Router, error) {
			r, err := NewRouter(cfg)
			if err != nil {
				return nil, err // not a nil *Router in a non-nil interface
			}
			return r, nil
		},
		NewTracker: func() cost.Tracker { return new(Tracker) },
		Compare:    Compare,
	}
}
