package streaming

import (
	"context"
	"strconv"
	"strings"
)

// Summarize stands in for a model call with zero latency, so that a pipeline's own cost and memory can be
// measured: it reads the record's event line (or its first line) and counts its lines and words. It is pure CPU
// work of about the size of building a prompt, and it never fails.
func Summarize(_ context.Context, record string) (string, error) {
	lines, words, event := 0, 0, ""
	for line := range strings.Lines(record) {
		lines++
		words += len(strings.Fields(line))
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			event = strings.TrimSpace(v)
		}
	}
	if event == "" {
		event, _, _ = strings.Cut(record, "\n")
	}
	return event + " (" + strconv.Itoa(lines) + " lines, " + strconv.Itoa(words) + " words)", nil
}
