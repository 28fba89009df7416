package progress

import (
	"bytes"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/redact"
)

// A registered key in a bar's label is not drawn.
func TestSentinelKeyNowhere(t *testing.T) {
	const key = "sk-sentinel-progress-0123456789"
	redact.Add(key)
	var buf bytes.Buffer
	for _, live := range []bool{false, true} {
		b := NewText(&buf, "calls with "+key, 2, live)
		b.Add(2)
		b.Done()
	}
	if out := buf.String(); strings.Contains(out, key) || !strings.Contains(out, "calls with "+redact.Mask) {
		t.Errorf("drawn: %q", out)
	}
}
