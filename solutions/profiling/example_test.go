package profiling_test

import (
	"fmt"

	"github.com/llmperf/workbook/lessons/profiling"
	solprofiling "github.com/llmperf/workbook/solutions/profiling"
)

func ExampleBuildPrompt() {
	log := "2026-03-04 07:12 [WARN] site=north-7 crew=crane\n" +
		"Wind gusts 48 km/h;   crane 2 stopped.\nCall J. Ortiz on +44 20 7946 0018 or j.ortiz@example.com.\n\n" +
		"Generator refuelled."
	fmt.Print(solprofiling.BuildPrompt(log, profiling.ApproxTokens, 1000))
	// Output:
	// Summarize these construction-site log records for the site manager: risks first, then delays.
	// Each line is one record as JSON.
	//
	// {"level":"warn","n":1,"tags":{"crew":"crane","site":"north-7"},"text":"Wind gusts 48 km/h; crane 2 stopped. Call J. Ortiz on [phone] or [email].","time":"2026-03-04 07:12"}
	// {"n":2,"text":"Generator refuelled."}
	//
	// (2 of 2 records, 54 tokens)
}
