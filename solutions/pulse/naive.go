package pulse

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	lessons "github.com/llmperf/workbook/lessons/pulse"
)

// naive is ProjectPulse as first written: read everything, split it, one call at a time, no cache, no limits,
// no retries. The first failure ends the run.
func naive(ctx context.Context, up Upstream, r io.Reader, opt Options, res *Result) error {
	all, err := io.ReadAll(r) // the whole log in memory
	if err != nil {
		return fmt.Errorf("reading the log: %w", err)
	}
	units := naiveUnits(splitRecords(string(all)), opt.Batch)
	var rec Recorder
	out := newOutput(opt, res)
	defer out.finish(&rec)

	ask := func(label string, prompt string) (string, error) {
		res.Requests++
		start := time.Now()
		resp, err := up.Client.CreateChatCompletion(ctx, opt.request(prompt))
		if err != nil {
			rec.Add(call(label, opt.Model, start, 0, nil, err))
			if is429(err) {
				res.Status429++
			}
			return "", err
		}
		rec.Add(call(label, opt.Model, start, 0, &resp.Usage, nil))
		return answer(resp)
	}
	var summaries []string // every summary, kept for the end
	for i, u := range units {
		s, err := ask("record", recordText(u.text))
		if err != nil {
			return fmt.Errorf("summary %d of %d: %w", i+1, len(units), err)
		}
		summaries = append(summaries, s)
		out.add(u, s)
	}
	red := Reducer{Group: opt.Group, Summarize: func(_ context.Context, items []string) (string, error) {
		return ask("reduce", reducePrompt+"- "+strings.Join(items, "\n- "))
	}}
	for _, s := range summaries {
		if err := red.Add(ctx, s); err != nil {
			return fmt.Errorf("site summary: %w", err)
		}
	}
	res.Final, err = red.Final(ctx)
	if err != nil {
		return fmt.Errorf("site summary: %w", err)
	}
	return nil
}

// splitRecords cuts a whole log into records as streaming.Records reads them (lessons/pulse.SplitRecords).
func splitRecords(log string) []string { return lessons.SplitRecords(log) }

// naiveUnits groups records batch at a time.
func naiveUnits(records []string, batch int) []unit {
	var units []unit
	for i := 0; i < len(records); i += batch {
		group := records[i:min(i+batch, len(records))]
		u := unit{text: strings.Join(group, "\n\n"), records: len(group)}
		for _, r := range group {
			u.bytes += len(r) + 2 // and the blank line after it
		}
		units = append(units, u)
	}
	return units
}
