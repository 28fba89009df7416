package streaming

import lessons "github.com/llmperf/workbook/lessons/streaming"

// Impl connects your code to the suite; no need to edit.
func Impl() lessons.Impl {
	return lessons.Impl{
		Records:  Records,
		Chunk:    Chunks,
		Pipeline: Pipeline[string, string],
		Chat:     StreamChat,
	}
}
