// Package cost is where you write week 5's exercises (notebooks/05-cost.ipynb): a cost estimator, a prompt
// optimizer, a model router with a budget guard, and a performance tracker with a before/after comparison.
//
// Each function that is yours to write starts with a todo.Exercise line: delete it and write the code. Check your
// work with `go test ./exercises/cost` or `go run ./cmd/workbook check NAME`; stuck, `go run ./cmd/workbook hint
// NAME`. The types you use come from lessons/cost, where the suite that checks you lives.
package cost
