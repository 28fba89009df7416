package costtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/llmperf/workbook/lessons/cost"
)

// messyPrompt is what prompts look like after a few months in production: pasted whitespace, politeness that
// changes no answer, the same retrieved block twice, and more examples than the budget allows. Every part that
// must survive carries a marker.
func messyPrompt() cost.Prompt {
	ex := func(i int) cost.Example {
		return cost.Example{
			Input:  fmt.Sprintf("  EX-IN-%d  Log:\tpour on level %d delayed by   rain.\n\n\n", i, i),
			Output: fmt.Sprintf("EX-OUT-%d Delay: level %d pour, weather.  Action: reschedule with the supplier.  ", i, i),
		}
	}
	return cost.Prompt{
		System:   "  You are a helpful assistant.\n\n\n\tSYS-7 Answer\tas a   site engineer.  \n   Keep it short.   \n\n",
		Examples: []cost.Example{ex(1), ex(2), ex(3), ex(4), ex(5), ex(6)},
		Context: []string{
			"CTX-1 The tower crane was inspected on Monday;  the load test passed.",
			"\t\tCTX-2 Scaffold on the east face is tagged green.\r\nPlease read the following carefully.\r\nNo work at height after 16:00.",
			"CTX-1   The tower crane was inspected on Monday; the load test passed.  ",
			"   \n  ",
			"CTX-3 Concrete supplier confirmed Thursday 07:00 delivery.",
		},
		Question: "Please answer the question below.\n\nQ-42 What   should today's report say about level 3?\nThank you in advance!\n",
	}
}

// wantContext is messyPrompt's context after optimization, word for word.
var wantContext = []string{"CTX-1", "CTX-2", "CTX-3"}

// words is text's words minus the lines that are boilerplate: what an optimizer must keep, in order.
func words(text string, boilerplate []string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		clean := strings.Join(strings.Fields(line), " ")
		if slices.ContainsFunc(boilerplate, func(b string) bool { return strings.EqualFold(b, clean) }) {
			continue
		}
		out = append(out, strings.Fields(line)...)
	}
	return out
}

// texts lists every text of p with a name for messages.
func texts(p cost.Prompt) map[string]string {
	m := map[string]string{"System": p.System, "Question": p.Question}
	for i, e := range p.Examples {
		m[fmt.Sprintf("Examples[%d].Input", i)] = e.Input
		m[fmt.Sprintf("Examples[%d].Output", i)] = e.Output
	}
	for i, c := range p.Context {
		m[fmt.Sprintf("Context[%d]", i)] = c
	}
	return m
}

func clonePrompt(p cost.Prompt) cost.Prompt {
	p.Examples = slices.Clone(p.Examples)
	p.Context = slices.Clone(p.Context)
	return p
}

func samePrompt(a, b cost.Prompt) bool {
	return a.System == b.System && a.Question == b.Question && slices.Equal(a.Examples, b.Examples) &&
		slices.Equal(a.Context, b.Context)
}

func checkOptimizer(optimize func(cost.Prompt, cost.Options) (cost.Prompt, cost.Report, error)) findings {
	var f findings
	in := messyPrompt()
	orig := clonePrompt(in)
	out, rep, err := optimize(in, cost.Options{})
	if err != nil {
		return append(f, fmt.Errorf("Optimize(messy prompt, zero Options): unexpected error %v", err))
	}
	if !samePrompt(in, orig) {
		f.errorf("Optimize changed its input prompt (its Examples or Context slice): work on copies")
	}
	bp := cost.DefaultBoilerplate

	// Step 1 and 2: clean text, same words, boilerplate lines gone.
	for name, text := range texts(out) {
		switch {
		case strings.ContainsAny(text, "\t\r"):
			f.errorf("%s = %q still has tabs or carriage returns", name, text)
		case strings.Contains(text, "  "):
			f.errorf("%s = %q still has runs of spaces", name, text)
		case strings.Contains(text, "\n\n\n"):
			f.errorf("%s = %q still has runs of blank lines", name, text)
		case text != strings.TrimSpace(text):
			f.errorf("%s = %q starts or ends with whitespace", name, text)
		case strings.Contains(text, " \n") || strings.Contains(text, "\n "):
			f.errorf("%s = %q has lines with leading or trailing spaces", name, text)
		}
		for _, line := range strings.Split(text, "\n") {
			if slices.ContainsFunc(bp, func(b string) bool { return strings.EqualFold(b, line) }) {
				f.errorf("%s still has the boilerplate line %q", name, line)
			}
		}
	}
	for _, tc := range []struct{ name, got, orig string }{
		{"System", out.System, in.System}, {"Question", out.Question, in.Question},
	} {
		if g, w := strings.Fields(tc.got), words(tc.orig, bp); !slices.Equal(g, w) {
			f.errorf("%s lost or changed content: words %q, want %q", tc.name, g, w)
		}
	}
	if len(out.Examples) != len(in.Examples) || rep.DroppedExamples != 0 || rep.Examples != 0 {
		f.errorf("with no budget, keep every example: kept %d of %d, report %+v", len(out.Examples),
			len(in.Examples), rep)
	} else {
		for i, e := range out.Examples {
			if g, w := strings.Fields(e.Input+" "+e.Output), words(in.Examples[i].Input+"\n"+in.Examples[i].Output, bp); !slices.Equal(g, w) {
				f.errorf("Examples[%d] lost or changed content: words %q, want %q", i, g, w)
			}
		}
	}

	// Step 3: each context block once, in order, empty ones gone.
	var marks []string
	for _, c := range out.Context {
		if fs := strings.Fields(c); len(fs) > 0 {
			marks = append(marks, fs[0])
		} else {
			marks = append(marks, "(empty)")
		}
	}
	if !slices.Equal(marks, wantContext) {
		f.errorf("context blocks (by first word) = %q, want %q: drop empty blocks and blocks equal to an earlier "+
			"one once whitespace is cleaned", marks, wantContext)
	} else if g, w := strings.Fields(out.Context[1]), words(in.Context[1], bp); !slices.Equal(g, w) {
		f.errorf("Context[1] lost or changed content: words %q, want %q", g, w)
	}

	// The report counts tokens, it does not guess them.
	model := cost.DefaultModel
	if before, after := in.Tokens(model), out.Tokens(model); rep.Before != before || rep.After != after {
		f.errorf("report Before/After = %d/%d, want %d/%d (Prompt.Tokens of the input and the result)",
			rep.Before, rep.After, before, after)
	}
	if sum := rep.Whitespace + rep.Boilerplate + rep.Duplicates + rep.Examples; sum != rep.Before-rep.After {
		f.errorf("report steps add up to %d tokens saved, want Before−After = %d (%+v)", sum,
			rep.Before-rep.After, rep)
	}
	if rep.Boilerplate <= 0 || rep.Duplicates <= 0 || rep.Whitespace <= 0 {
		f.errorf("this prompt has messy whitespace, boilerplate and a repeated block, so each of those steps "+
			"saves tokens; report %+v", rep)
	}

	// Step 4: budgets. clean(k) is the clean prompt with the first k examples; its token count is a budget that
	// fits exactly k examples.
	clean := func(k int) cost.Prompt {
		p := clonePrompt(out)
		p.Examples = p.Examples[:min(k, len(p.Examples))]
		return p
	}
	for _, tc := range []struct {
		name   string
		model  string
		budget func(model string) int
		keep   int
	}{
		{"budget fits all examples", cost.DefaultModel, func(m string) int { return clean(6).Tokens(m) }, 6},
		{"budget fits exactly 4 examples", cost.DefaultModel, func(m string) int { return clean(4).Tokens(m) }, 4},
		{"budget between 2 and 3 examples", cost.DefaultModel, func(m string) int { return clean(3).Tokens(m) - 1 }, 2},
		{"budget fits no example", cost.DefaultModel, func(m string) int { return clean(0).Tokens(m) }, 0},
		{"cl100k tokenizer (gpt-4)", "gpt-4", func(m string) int { return clean(3).Tokens(m) }, 3},
	} {
		budget := tc.budget(tc.model)
		got, rep, err := optimize(messyPrompt(), cost.Options{Model: tc.model, Budget: budget})
		if err != nil {
			f.errorf("%s (budget %d): unexpected error %v", tc.name, budget, err)
			continue
		}
		if !samePrompt(got, clean(tc.keep)) {
			f.errorf("%s (budget %d): kept %d examples, want the first %d and everything else as without a budget",
				tc.name, budget, len(got.Examples), tc.keep)
		}
		if n := got.Tokens(tc.model); n > budget || rep.After != n || rep.Before != messyPrompt().Tokens(tc.model) {
			f.errorf("%s: result costs %d tokens on %s for a budget of %d; report %+v", tc.name, n, tc.model,
				budget, rep)
		}
		if rep.DroppedExamples != 6-tc.keep || (tc.keep < 6) != (rep.Examples > 0) {
			f.errorf("%s: report %+v, want DroppedExamples %d and Examples > 0 exactly when some were dropped",
				tc.name, rep, 6-tc.keep)
		}
		if sum := rep.Whitespace + rep.Boilerplate + rep.Duplicates + rep.Examples; sum != rep.Before-rep.After {
			f.errorf("%s: report steps add up to %d, want Before−After = %d", tc.name, sum, rep.Before-rep.After)
		}
	}

	// A budget the required parts cannot meet is an error, not a silently truncated question.
	tight := clean(0).Tokens(cost.DefaultModel) - 1
	got, rep, err := optimize(messyPrompt(), cost.Options{Budget: tight})
	if !errors.Is(err, cost.ErrOverBudget) {
		f.errorf("budget %d below the required parts: got error %v, want one that errors.Is ErrOverBudget", tight, err)
	} else if !samePrompt(got, clean(0)) || rep.After <= tight {
		f.errorf("over budget: return the smallest prompt you could make (no examples) and its report; got %d "+
			"examples, report %+v", len(got.Examples), rep)
	}

	// Idempotent: an optimized prompt has nothing left to save.
	for _, budget := range []int{0, clean(3).Tokens(cost.DefaultModel)} {
		once, _, err1 := optimize(messyPrompt(), cost.Options{Budget: budget})
		twice, rep, err2 := optimize(once, cost.Options{Budget: budget})
		if err1 != nil || err2 != nil || !samePrompt(once, twice) || rep.Before != rep.After {
			f.errorf("budget %d: optimizing twice changed the prompt or saved %d more tokens (errors %v, %v): "+
				"Optimize must be idempotent", budget, rep.Before-rep.After, err1, err2)
		}
	}

	// A clean prompt with nothing to drop saves nothing.
	if got, rep, err := optimize(clean(2), cost.Options{}); err != nil || !samePrompt(got, clean(2)) ||
		rep != (cost.Report{Before: rep.Before, After: rep.Before}) {
		f.errorf("a clean prompt: got %d examples, report %+v, error %v; want it unchanged, nothing saved",
			len(got.Examples), rep, err)
	}

	// Options.Boilerplate replaces the default list.
	custom := cost.Prompt{System: "You are a helpful assistant.\nDROP me please", Question: "Q-9 Why?"}
	if got, _, err := optimize(custom, cost.Options{Boilerplate: []string{"drop ME please"}}); err != nil ||
		got.System != "You are a helpful assistant." || got.Question != "Q-9 Why?" {
		f.errorf("Options.Boilerplate {\"drop ME please\"}: System %q, Question %q, error %v; want only the listed "+
			"line dropped (case ignored), the default list not applied", got.System, got.Question, err)
	}
	return f
}
