// Package metrics records what each LLM call cost in time, tokens and money, and summarises a run.
//
// The idea: an average hides the tail. A Tracker keeps every Call; Summary reports percentiles (nearest-rank),
// throughput, cache hit rate and total cost, and Compare puts two runs side by side with ratios, so an
// optimisation is judged on p95 and dollars, not on a feeling.
//
// A zero Tracker is ready to use and safe for concurrent use by many goroutines.
package metrics
