package cost

import (
	"errors"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/tokens"
)

// Prompt is a chat prompt kept in parts, so an optimizer can tell what it may drop from what it must keep.
type Prompt struct {
	System   string    // instructions; kept
	Examples []Example // few-shot examples, most useful first; the ones at the end go first when over budget
	Context  []string  // retrieved context blocks, in order; a block equal to an earlier one is redundant
	Question string    // what the user asks; kept
}

// Example is one few-shot example: an input and the answer the model should imitate.
type Example struct{ Input, Output string }

// Messages renders p as chat messages: a system message (unless System is empty), a user and an assistant
// message per example, then one user message with each non-empty context block followed by a blank line, and the
// question last.
func (p Prompt) Messages() []openai.ChatCompletionMessage {
	var msgs []openai.ChatCompletionMessage
	if p.System != "" {
		msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: p.System})
	}
	for _, e := range p.Examples {
		msgs = append(msgs,
			openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: e.Input},
			openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: e.Output})
	}
	var b strings.Builder
	for _, c := range p.Context {
		if c != "" {
			b.WriteString(c)
			b.WriteString("\n\n")
		}
	}
	b.WriteString(p.Question)
	return append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: b.String()})
}

// Tokens is the number of prompt tokens p costs on model, per-message overhead included.
func (p Prompt) Tokens(model string) int { return tokens.CountChat(model, p.Messages()) }

// DefaultModel is the model whose tokenizer Options uses when it names none.
const DefaultModel = "gpt-4o-mini"

// DefaultBoilerplate is the boilerplate Options drops when it lists none: lines that cost tokens on every call
// and change no answer.
var DefaultBoilerplate = []string{
	"You are a helpful assistant.",
	"Please read the following carefully.",
	"Please answer the question below.",
	"Thank you in advance!",
	"Thank you for your help.",
	"Let's think about this carefully.",
}

// Options controls Optimize. The zero value counts with DefaultModel, drops DefaultBoilerplate and has no budget.
type Options struct {
	Model       string   // whose tokenizer counts; "" means DefaultModel
	Budget      int      // the most prompt tokens (Prompt.Tokens) the result may cost; 0 means no limit
	Boilerplate []string // lines to drop, compared after whitespace clean-up and ignoring case; nil means DefaultBoilerplate
}

// Report says what an optimization saved, in tokens of Options.Model. The four step savings add up to
// Before − After.
type Report struct {
	Before, After int // Prompt.Tokens of the input and of the result

	Whitespace  int // saved by step 1: whitespace clean-up
	Boilerplate int // saved by step 2: boilerplate lines dropped
	Duplicates  int // saved by step 3: repeated (and empty) context blocks dropped
	Examples    int // saved by step 4: few-shot examples dropped from the end to fit the budget

	DroppedExamples int // how many examples step 4 dropped
}

// ErrOverBudget means a prompt does not fit its token budget even with every optional part dropped.
var ErrOverBudget = errors.New("cost: prompt does not fit the token budget")
