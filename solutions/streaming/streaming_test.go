package streaming_test

import (
	"io"
	"iter"
	"testing"

	"github.com/llmperf/workbook/lessons/streaming/streamingtest"
	"github.com/llmperf/workbook/solutions/streaming"
)

func TestStreaming(t *testing.T) { streamingtest.Run(t, streaming.Impl()) }

// TestScanRecords runs the records checks on the bufio.Scanner version of the record iterator.
func TestScanRecords(t *testing.T) {
	streamingtest.Records(t, func(r io.Reader) iter.Seq2[string, error] { return streaming.ScanRecords(r, 1<<20) })
}
