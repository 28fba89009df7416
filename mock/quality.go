package mock

import (
	"math"
	"strings"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/kit/tokens"
)

// The quality model. A chat request whose first message is a system (or developer) message holding a graded
// task's instruction (data.TaskKindOf) and whose last user message is a task's input (data.ParseTask) is a
// graded task: the mock works out the right answer from the prompt and answers as well as the model asked for
// would. Every other request gets filler text, exactly as before.
//
// Whether an answer is right is drawn from the request's hash (the model, the messages and the seed, as for
// every answer): right when a uniform draw falls below Accuracy(model, kind, prompt tokens). A wrong answer is
// catchable — the wrong form, which kind.Validate rejects — with probability Catchable(kind), and otherwise has
// the right form and a wrong value (data.Task.Mistake). The same request always gets the same answer, as at
// temperature 0: asking the same model again does not help; another seed, another model or another prompt draws
// again. With n > 1, each choice is its own draw.

// tier groups the model families that answer graded tasks equally well.
type tier int

const (
	tierSmall tier = iota
	tierMini
	tierLarge
	tierFrontier
)

// tiers places every chat family of knownModels in a tier (TestEveryChatModelHasATier checks it).
var tiers = map[string]tier{
	"gpt-3.5-turbo": tierSmall, "gpt-4.1-nano": tierSmall, "gpt-5-nano": tierSmall,
	"gpt-4o-mini": tierMini, "gpt-4.1-mini": tierMini, "gpt-5-mini": tierMini, "o3-mini": tierMini, "o4-mini": tierMini,
	"gpt-4": tierLarge, "gpt-4-turbo": tierLarge, "gpt-4o": tierLarge, "gpt-4.1": tierLarge,
	"gpt-5": tierFrontier, "o1": tierFrontier, "o3": tierFrontier,
}

// curve is a tier's accuracy on one kind of task: base for a prompt of up to curveStart tokens, then drop less
// for each doubling of the prompt beyond, never below accuracyFloor.
type curve struct{ base, drop float64 }

const (
	curveStart    = 512
	accuracyFloor = 0.05
)

// curves are indexed by tier, then by kind in the order extract, count, needle.
var curves = [4][3]curve{
	tierSmall:    {{0.88, 0.08}, {0.75, 0.15}, {0.65, 0.15}},
	tierMini:     {{0.96, 0.03}, {0.92, 0.09}, {0.88, 0.12}},
	tierLarge:    {{0.99, 0.01}, {0.97, 0.04}, {0.97, 0.04}},
	tierFrontier: {{0.995, 0.005}, {0.99, 0.02}, {0.99, 0.02}},
}

// catchable is the share of each kind's wrong answers that have the wrong form (extract, count, needle).
var catchable = [3]float64{0.7, 0.5, 0.5}

func kindIndex(k data.TaskKind) int {
	switch k {
	case data.Extract:
		return 0
	case data.Count:
		return 1
	case data.Needle:
		return 2
	}
	return -1
}

// Accuracy is the share of graded tasks of kind that model answers right when the prompt is promptTokens long
// (usage.prompt_tokens): the documented curve of the model's tier (see the README). A dated snapshot answers
// as its family. It is 0 for a model or kind the mock does not know.
func Accuracy(model string, kind data.TaskKind, promptTokens int) float64 {
	t, ok := tiers[family(model)]
	k := kindIndex(kind)
	if !ok || k < 0 {
		return 0
	}
	c := curves[t][k]
	if promptTokens <= curveStart {
		return c.base
	}
	return max(accuracyFloor, c.base-c.drop*math.Log2(float64(promptTokens)/curveStart))
}

// Catchable is the share of wrong answers to tasks of kind that have the wrong form, so that kind.Validate
// rejects them; the others have the right form and a wrong value. It is the same for every model.
func Catchable(kind data.TaskKind) float64 {
	if k := kindIndex(kind); k >= 0 {
		return catchable[k]
	}
	return 0
}

// reply is the answer of one choice of req, whose hash is h: a graded task's answer when req is one, else filler
// of answerLength tokens. It is the one call serveChat makes into the quality model.
func (s *Server) reply(enc *tokens.Encoder, v *vocab, req *chatRequest, h uint64, promptTokens int) answer {
	if text, ok := gradedAnswer(req, h, promptTokens); ok {
		return textAnswer(enc, text, req.maxOut())
	}
	return generate(v, h, s.answerLength(h), req.maxOut())
}

// Salts that make the draws of one answer independent of each other and of the filler text's.
const (
	saltRight     = 0x51ed27a3c0ffee01
	saltCatchable = 0x2b992ddfa23249d6
	saltMistake   = 0x6a09e667f3bcc908
)

// gradedAnswer is the answer to req if it is a graded task. The check that it is not is a string switch on the
// first message, so other requests pay next to nothing.
func gradedAnswer(req *chatRequest, h uint64, promptTokens int) (string, bool) {
	if len(req.Messages) < 2 {
		return "", false
	}
	first := req.Messages[0]
	if first.Role != "system" && first.Role != "developer" {
		return "", false
	}
	kind, ok := data.TaskKindOf(first.Content.Text)
	if !ok {
		return "", false
	}
	input, ok := lastUser(req.Messages)
	if !ok {
		return "", false
	}
	task, ok := data.ParseTask(first.Content.Text, input)
	if !ok {
		return "", false
	}
	if unit(mix(h^saltRight)) < Accuracy(req.Model, kind, promptTokens) {
		return task.Want, true
	}
	return task.Mistake(unit(mix(h^saltCatchable)) < Catchable(kind), mix(h^saltMistake)), true
}

// lastUser is the text of the last user message.
func lastUser(msgs []message) (string, bool) {
	for i := len(msgs) - 1; i > 0; i-- {
		if m := msgs[i]; m.Role == "user" {
			if m.Content.Parts != nil {
				return strings.Join(m.Content.Parts, ""), true
			}
			return m.Content.Text, true
		}
	}
	return "", false
}

// unit maps a hash to [0, 1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// textAnswer is text as an answer: its pieces are its tokens in enc, cut to limit (if positive).
func textAnswer(enc *tokens.Encoder, text string, limit int) answer {
	ids := enc.Encode(text)
	n := len(ids)
	if limit > 0 && limit < n {
		n = limit
	}
	a := answer{full: len(ids), pieces: make([]string, n)}
	for i := range n {
		a.pieces[i] = enc.Decode(ids[i : i+1])
	}
	return a
}
