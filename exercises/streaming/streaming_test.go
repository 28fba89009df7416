package streaming

import (
	"testing"

	"github.com/llmperf/workbook/lessons/streaming/streamingtest"
)

// TestStreaming runs week 3's suite on your code: go test ./exercises/streaming, or one exercise with
// go run ./cmd/workbook check records. No need to edit.
func TestStreaming(t *testing.T) { streamingtest.Run(t, Impl()) }
