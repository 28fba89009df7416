// Package cost is the reference solution of week 5: a cost estimator, a prompt optimizer, a model router with a
// budget guard, and a performance tracker with a before/after comparison.
//
// The idea: price a request before sending it, shrink the prompt by what provably changes no answer, spend on the
// strong model only when the cheap one's answer fails a check, and judge the result by its percentiles.
package cost
