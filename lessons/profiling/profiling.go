// Package profiling is week 1 of the course: find where the time goes before changing anything.
//
// It holds a deliberately slow prompt builder, SlowBuildPrompt, with the hotspots real LLM apps grow (a regexp
// compiled on every call, strings built with += in a loop, JSON through map[string]any, fmt.Sprintf in the hot
// loop, and token counts recomputed from scratch), a Pipeline that adds the model call around it, helpers to
// read pprof profiles (Top), and the contract of the week's exercises (Impl). The suite that checks them is
// lessons/profiling/profilingtest.
package profiling

// BuildFunc builds a prompt from a site log: one JSON line per record, stopping at the first record that would
// take the prompt's records past budget tokens, as counted by count. SlowBuildPrompt is the reference.
type BuildFunc func(log string, count func(string) int, budget int) string

// Impl is what an implementation of the week provides; exercises/profiling and solutions/profiling both build
// one. The other exercise, "benchmark", is a function in a _test.go file, so the package's own test hands it to
// the suite beside Impl.
type Impl struct {
	// BuildPrompt is the learner's fast version of SlowBuildPrompt (exercise "hotspots").
	BuildPrompt BuildFunc
}
