// Package metrics records what each LLM call cost in time, tokens and money, and summarises a run.
//
// The idea: an average hides the tail, and one run hides the noise. A Tracker keeps every Call; Summary reports
// percentiles (nearest-rank), throughput, cache hit rate and total cost. CompareRuns sets repeated runs of two
// versions side by side and judges each measure the way benchstat does (golang.org/x/perf/benchmath): medians,
// a 95% confidence interval, and a Mann–Whitney U test, so a difference inside the run-to-run noise reads "no
// significant difference" instead of "better" or "worse". CompareSamples does the same for any repeated
// measurement.
//
// A zero Tracker is ready to use and safe for concurrent use by many goroutines.
package metrics
