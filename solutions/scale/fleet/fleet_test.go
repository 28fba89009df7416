package fleet

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSummaryOf(t *testing.T) {
	log := "batch: 10 lines in a: 10 requests, 0 malformed; 0 already in b; 10 to send to openai at x\n" +
		"batch: 10 of 10 sent in 1.2s: 9 succeeded, 1 failed; 3 429s waited out; 900 tokens; spent $0.01; 4 answered from the shared cache\n"
	s, err := summaryOf(log)
	if err != nil || s.OK != 9 || s.Failed != 1 || s.Limited != 3 || s.Cached != 4 {
		t.Errorf("summaryOf: %+v %v", s, err)
	}
	if _, err := summaryOf("exit status 2"); err == nil {
		t.Error("a log without a summary line was read")
	}
}

// TestTail: tokens are counted once per whole line, also when a line arrives in two pieces.
func TestTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	line := `{"custom_id":"a","response":{"status_code":200,"body":{"usage":{"total_tokens":7}}},"error":null}` + "\n"
	tl := &tail{path: path}
	if got := tl.read(); got != 0 {
		t.Errorf("no file: %d", got)
	}
	os.WriteFile(path, []byte(line+line[:20]), 0o644)
	if got := tl.read(); got != 7 {
		t.Errorf("a line and a half: %d tokens, want 7", got)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(line[20:] + `{"custom_id":"b","error":{"code":"x"}}` + "\n")
	f.Close()
	if got := tl.read(); got != 14 {
		t.Errorf("the rest: %d tokens, want 14", got)
	}
}
