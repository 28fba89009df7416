package streaming_test

import (
	"testing"

	"github.com/llmperf/workbook/exercises/streaming"
	lessons "github.com/llmperf/workbook/lessons/streaming"
)

func TestStreaming(t *testing.T) { lessons.Run(t, streaming.Impl()) }
