package pulse

import (
	"bytes"
	"context"
	"testing"

	lessons "github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/mock"
)

// TestSummarizeDigestIsNaiveModes ties the capstone exercise to ProjectPulse itself: the reference answer's
// summaries have the digest of the naive mode's run on the same log.
func TestSummarizeDigestIsNaiveModes(t *testing.T) {
	log := siteLog(t, 16<<10)
	res, err := Run(context.Background(), ModeNaive, NewMock(mock.Config{}), bytes.NewReader(log), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = Summarize(context.Background(), lessons.MockUpstream(mock.New(mock.Config{})), bytes.NewReader(log),
		lessons.Config{Workers: 4, CacheSize: 64}, func(s string) error { got = append(got, s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if d := lessons.Digest(got); d != res.Digest || len(got) != res.Units {
		t.Errorf("Summarize: %d summaries, digest %.12s; the naive mode: %d, %.12s", len(got), d, res.Units, res.Digest)
	}
}
