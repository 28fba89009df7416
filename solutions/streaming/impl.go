package streaming

import lessons "github.com/llmperf/workbook/lessons/streaming"

// Impl connects this package to the week's suite.
func Impl() lessons.Impl {
	return lessons.Impl{
		Records:  Records,
		Chunk:    Chunks,
		Pipeline: Pipeline[string, string],
		Chat:     StreamChat,
	}
}
