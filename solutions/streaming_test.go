package solutions_test

import (
	"testing"

	lessonsstreaming "github.com/llmperf/workbook/lessons/streaming"
	solstreaming "github.com/llmperf/workbook/solutions/streaming"
)

func TestStreaming(t *testing.T) { lessonsstreaming.Run(t, solstreaming.Impl()) }
