package pulse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Naive is ProjectPulse as first written, the baseline an assembly is compared with: read the whole log, split
// it into records, and ask for one summary at a time with RecordRequest — no cache, no limits, no retries; the
// first failure ends the run. Its memory grows with the log, its time is the sum of every call's.
func Naive(ctx context.Context, up Upstream, log io.Reader, emit func(summary string) error) error {
	all, err := io.ReadAll(log)
	if err != nil {
		return fmt.Errorf("reading the log: %w", err)
	}
	client := up.Client()
	records := SplitRecords(string(all))
	for i, rec := range records {
		resp, err := client.CreateChatCompletion(ctx, RecordRequest(rec))
		if err != nil {
			return fmt.Errorf("summary %d of %d: %w", i+1, len(records), err)
		}
		if len(resp.Choices) == 0 {
			return fmt.Errorf("summary %d of %d: the answer has no choices", i+1, len(records))
		}
		if err := emit(resp.Choices[0].Message.Content); err != nil {
			return err
		}
	}
	return nil
}

// SplitRecords cuts a whole log into records as the records exercise reads them: runs of non-blank lines, each
// joined with "\n" (a "\r" ending a line is dropped); a line of white space only is blank.
func SplitRecords(log string) []string {
	var records, lines []string
	for _, line := range strings.Split(log, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			if len(lines) > 0 {
				records = append(records, strings.Join(lines, "\n"))
				lines = lines[:0]
			}
			continue
		}
		lines = append(lines, line)
	}
	if len(lines) > 0 {
		records = append(records, strings.Join(lines, "\n"))
	}
	return records
}

// Digest is the SHA-256, in hex, of summaries in order, each followed by "\n": equal digests, equal summaries.
// It is the digest solutions/pulse reports for a run (Result.Digest).
func Digest(summaries []string) string {
	h := sha256.New()
	for _, s := range summaries {
		io.WriteString(h, s)
		io.WriteString(h, "\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}
