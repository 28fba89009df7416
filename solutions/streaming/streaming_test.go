package streaming_test

import (
	"io"
	"iter"
	"testing"

	lessons "github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/solutions/streaming"
)

func TestStreaming(t *testing.T) { lessons.Run(t, streaming.Impl()) }

// TestScanRecords runs the suite with the bufio.Scanner version of the record iterator.
func TestScanRecords(t *testing.T) {
	impl := streaming.Impl()
	impl.Records = func(r io.Reader) iter.Seq2[string, error] { return streaming.ScanRecords(r, 1<<20) }
	t.Run("records", func(t *testing.T) { lessons.Run(t, impl) })
}
