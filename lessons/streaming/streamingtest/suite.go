package streamingtest

import (
	"testing"

	"github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/lessons/suite"
)

// Run checks impl: one subtest per exercise, named as in kit/course/info.toml.
func Run(t *testing.T, impl streaming.Impl) {
	suite.Exercise(t, "records", func(t *testing.T) { testRecords(t, impl.Records) })
	suite.Exercise(t, "chunker", func(t *testing.T) { testChunker(t, impl.Chunk) })
	suite.Exercise(t, "pipeline", func(t *testing.T) { testPipeline(t, impl.Pipeline) })
	suite.Exercise(t, "chat", func(t *testing.T) { testChat(t, impl.Chat) })
}

// Records runs the records exercise's checks alone: for a second implementation of the record iterator, such as
// solutions/streaming.ScanRecords.
func Records(t *testing.T, records streaming.RecordsFunc) {
	suite.Exercise(t, "records", func(t *testing.T) { testRecords(t, records) })
}
