package pulse

import (
	"strings"

	"github.com/llmperf/workbook/lessons/llm"
	openai "github.com/sashabaranov/go-openai"
)

// Seed makes every request repeatable, so that a caching client may keep its answer (caching.Deterministic).
const Seed = 7

// MaxTokens is the longest summary RecordRequest asks for.
const MaxTokens = 60

// The prompts open the two kinds of request: a record's summary, and a summary of summaries.
const (
	RecordPromptPrefix = "Summarize this construction-site log in one line for the site manager: what happened, " +
		"where, and any action needed.\n\n"
	ReducePromptPrefix = "Combine these summaries of a construction-site log into one short site summary for the " +
		"site manager, keeping every action needed.\n\n"
)

// Request is a repeatable chat request for prompt.
func Request(model string, maxTokens int, prompt string) openai.ChatCompletionRequest {
	seed := Seed
	return openai.ChatCompletionRequest{
		Model:     model,
		MaxTokens: maxTokens,
		Seed:      &seed,
		Messages:  []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: prompt}},
	}
}

// RecordRequest is the request that summarizes one record, the same in every version of ProjectPulse.
func RecordRequest(record string) openai.ChatCompletionRequest {
	return Request(llm.DefaultModel, MaxTokens, RecordPrompt(record))
}

// RecordPrompt is the prompt that summarizes unit (one record, or several separated by blank lines):
// RecordPromptPrefix, then the unit without its records' timestamp lines. A one-line summary of what happened,
// where and what to do needs no timestamp (the summaries come back in log order, each beside its record), and it
// is the one line that makes every record unique: without it, a routine entry written the same way every day is
// the same request every day, which a cache can answer. Only lines that start with "timestamp:" go.
func RecordPrompt(unit string) string {
	var b strings.Builder
	b.Grow(len(RecordPromptPrefix) + len(unit))
	b.WriteString(RecordPromptPrefix)
	first := true
	for rest := unit; ; {
		line, after, more := strings.Cut(rest, "\n")
		if !strings.HasPrefix(line, "timestamp:") {
			if !first {
				b.WriteByte('\n')
			}
			b.WriteString(line)
			first = false
		}
		if !more {
			return b.String()
		}
		rest = after
	}
}

// ReducePrompt is the prompt that summarizes summaries.
func ReducePrompt(summaries []string) string {
	return ReducePromptPrefix + "- " + strings.Join(summaries, "\n- ")
}
