package pulse

import (
	"github.com/llmperf/workbook/exercises/caching"
	"github.com/llmperf/workbook/exercises/concurrency"
	"github.com/llmperf/workbook/exercises/streaming"
	lessons "github.com/llmperf/workbook/lessons/pulse"
)

// Impl connects your Summarize, and the week exercises it is built from, to the suite; no need to edit.
func Impl() lessons.Impl {
	return lessons.Impl{
		Summarize: Summarize,
		Parts:     lessons.Parts(streaming.Impl(), caching.Impl(), concurrency.Impl()),
	}
}
