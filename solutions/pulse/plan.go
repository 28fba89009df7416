package pulse

import (
	"io"

	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/solutions/streaming"
)

// Plan reads a log the way a run will and says what the run would ask a provider, for llm.Settings.Check to
// price before a real run starts: one call per unit of Batch records, plus the reduce calls that fold Group
// summaries at a time into one, each answer at most MaxTokens. Its typical prompt is a unit of the log's mean
// length (taken from the first units, so that memory stays bounded). The cache is not counted: a run may find
// nothing to reuse.
func Plan(r io.Reader, opt Options) (llm.Plan, error) {
	opt = opt.withDefaults()
	const keep = 256 // units kept to choose the typical one from
	var n, total int
	var sample []string
	for u, err := range units(streaming.Records(r), opt.Batch) {
		if err != nil {
			return llm.Plan{}, err
		}
		n++
		total += len(u.text)
		if len(sample) < keep {
			sample = append(sample, u.text)
		}
	}
	var typical string
	if n > 0 {
		mean := total / n
		for _, u := range sample {
			if typical == "" || abs(len(u)-mean) < abs(len(typical)-mean) {
				typical = u
			}
		}
	}
	calls := n
	for level := n; level > 1; level = (level + opt.Group - 1) / opt.Group {
		calls += (level + opt.Group - 1) / opt.Group
	}
	return llm.Plan{Calls: calls, Prompt: recordText(typical), AnswerTokens: opt.MaxTokens}, nil
}

func abs(x int) int { return max(x, -x) }
