package pulse

import (
	lessons "github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/streaming"
)

// Impl connects Summarize and the week solutions it is built from to the capstone's suite (lessons/pulse).
func Impl() lessons.Impl {
	return lessons.Impl{
		Summarize: Summarize,
		Parts:     lessons.Parts(streaming.Impl(), caching.Impl(), concurrency.Impl()),
	}
}
