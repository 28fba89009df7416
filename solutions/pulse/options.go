package pulse

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/llmperf/workbook/lessons/llm"
	lessons "github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/solutions/concurrency"
	openai "github.com/sashabaranov/go-openai"
)

// Options configures a run. The zero Options is valid: the defaults below fill every zero field.
type Options struct {
	Model     string // the model to ask; default the Upstream's Model, or else llm.DefaultModel
	Batch     int    // records per summary call; default 1
	Group     int    // summaries per summary-of-summaries call; default 16
	MaxTokens int    // longest answer of any call; default 60

	// The optimized mode only.
	Workers   int                 // pipeline workers; default 8
	CacheSize int                 // entries of the answer cache; default 1024
	RPM, TPM  int                 // requests and tokens per minute; 0 = no limit of that kind
	Backoff   concurrency.Backoff // retries; default 8 attempts, 100 ms base, 5 s cap
	// Stream makes every call a stream (streaming.StreamChat), to measure its time to first token. A batch job
	// reads no token before the answer is whole, so by default it asks for whole answers: streaming costs CPU
	// per call (more bytes, an event parser) and buys nothing here.
	Stream bool

	// Profile takes a CPU profile of the run and groups it into Categories (Result.CPU); ProfileTo, if set, also
	// gets the profile itself, for go tool pprof. Only one CPU profile can run in a process at a time.
	Profile   bool
	ProfileTo io.Writer

	// Progress, if set, is called after each unit's summary with the bytes of log it covered.
	Progress func(bytes int)
	// OnSummary, if set, is called with each unit's summary, in log order.
	OnSummary func(unit int, summary string)
}

func (o Options) withDefaults() Options {
	o.Model = cmp.Or(o.Model, llm.DefaultModel)
	o.Batch = cmp.Or(o.Batch, 1)
	o.Group = cmp.Or(o.Group, 16)
	o.MaxTokens = cmp.Or(o.MaxTokens, 60)
	o.Workers = cmp.Or(o.Workers, 8)
	o.CacheSize = cmp.Or(o.CacheSize, 1024)
	if o.Backoff == (concurrency.Backoff{}) {
		o.Backoff = concurrency.Backoff{Base: 100 * time.Millisecond, Cap: 5 * time.Second, MaxAttempts: 8}
	}
	return o
}

// Check reports the first option that cannot work, naming it as the command line does.
func (o Options) Check() error {
	switch {
	case o.Batch < 0:
		return fmt.Errorf("-batch is %d; it must be at least 1", o.Batch)
	case o.Group == 1 || o.Group < 0:
		return fmt.Errorf("-group is %d; a summary of summaries needs at least 2", o.Group)
	case o.MaxTokens < 0:
		return fmt.Errorf("-max-tokens is %d; it must be positive", o.MaxTokens)
	case o.Workers < 0:
		return fmt.Errorf("-workers is %d; it must be at least 1", o.Workers)
	case o.CacheSize < 0:
		return fmt.Errorf("-cache is %d; it must be at least 1", o.CacheSize)
	case o.RPM < 0 || o.TPM < 0:
		return fmt.Errorf("-rpm %d -tpm %d: limits cannot be negative (0 means none)", o.RPM, o.TPM)
	}
	return nil
}

// Seed makes every request repeatable, so the answer cache may keep it (see caching.Deterministic).
const Seed = lessons.Seed

// recordPrompt and reducePrompt open the two kinds of request; lessons/pulse defines them, so that the capstone
// exercise and both modes here send the same requests.
const (
	recordPrompt = lessons.RecordPromptPrefix
	reducePrompt = lessons.ReducePromptPrefix
)

// request builds a repeatable chat request.
func (o Options) request(prompt string) openai.ChatCompletionRequest {
	return lessons.Request(o.Model, o.MaxTokens, prompt)
}

// RecordRequest is the request that summarizes one unit: one record, or Batch records separated by blank lines.
func (o Options) RecordRequest(unit string) openai.ChatCompletionRequest {
	return o.withDefaults().request(recordText(unit))
}

// recordText is the prompt that summarizes unit: recordPrompt, then the unit without its records' timestamp
// lines (lessons/pulse.RecordPrompt says why).
func recordText(unit string) string { return lessons.RecordPrompt(unit) }

// ReduceRequest is the request that summarizes summaries.
func (o Options) ReduceRequest(summaries []string) openai.ChatCompletionRequest {
	return o.withDefaults().request(reducePrompt + "- " + strings.Join(summaries, "\n- "))
}

// estimate is an upper bound on the tokens req can use, without a tokenizer: a token is at least one byte, so a
// message costs at most its bytes plus the chat format's few tokens, and the answer at most MaxTokens.
func estimate(req openai.ChatCompletionRequest) int {
	n := 3 // the reply's priming
	for _, m := range req.Messages {
		n += 4 + len(m.Role) + len(m.Name) + len(m.Content)
	}
	return n + req.MaxTokens
}
