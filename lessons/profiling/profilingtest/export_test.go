package profilingtest

// Exported for the suite's own tests in package profiling_test.
var (
	CheckOutput     = checkOutput
	CheckTokenCalls = checkTokenCalls
	CheckAllocs     = checkAllocs
	CheckBenchmark  = checkBenchmark
	EdgeCases       = edgeCases
)
