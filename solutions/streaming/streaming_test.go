package streaming_test

import (
	"testing"

	lessons "github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/solutions/streaming"
)

func TestStreaming(t *testing.T) { lessons.Run(t, streaming.Impl()) }
