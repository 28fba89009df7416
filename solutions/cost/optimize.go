package cost

import (
	"fmt"
	"slices"
	"strings"

	"github.com/llmperf/workbook/lessons/cost"
)

// Prompt, Example, Options and Report are the optimizer's types (see lessons/cost).
type (
	Prompt  = cost.Prompt
	Example = cost.Example
	Options = cost.Options
	Report  = cost.Report
)

// Optimize makes p cheaper in four steps, counting tokens after each so the Report says what each saved:
//
//  1. whitespace: in every text, runs of spaces and tabs become one space, lines are trimmed, runs of blank
//     lines become one, and the text is trimmed;
//  2. boilerplate: lines equal to an Options.Boilerplate entry (ignoring case) are dropped;
//  3. duplicates: empty context blocks and blocks equal to an earlier one are dropped;
//  4. examples: while the prompt costs more than Options.Budget tokens, the last example is dropped.
//
// If the prompt is still over budget with no example left, Optimize returns that smallest prompt, its report,
// and an error wrapping cost.ErrOverBudget. p itself is never modified.
func Optimize(p Prompt, opts Options) (Prompt, Report, error) {
	model := opts.Model
	if model == "" {
		model = cost.DefaultModel
	}
	boilerplate := opts.Boilerplate
	if boilerplate == nil {
		boilerplate = cost.DefaultBoilerplate
	}
	if opts.Budget < 0 {
		return p, Report{}, fmt.Errorf("optimize: budget %d is negative (0 means no limit)", opts.Budget)
	}
	rep := Report{Before: p.Tokens(model)}
	last := rep.Before
	saved := func(step *int, q Prompt) {
		n := q.Tokens(model)
		*step = last - n
		last = n
	}

	p = mapTexts(p, func(s string) string { return cleanText(s, nil) })
	saved(&rep.Whitespace, p)

	p = mapTexts(p, func(s string) string { return cleanText(s, boilerplate) })
	saved(&rep.Boilerplate, p)

	p.Context = dedupe(p.Context)
	saved(&rep.Duplicates, p)

	if opts.Budget > 0 {
		n := last
		for n > opts.Budget && len(p.Examples) > 0 {
			p.Examples = p.Examples[:len(p.Examples)-1]
			rep.DroppedExamples++
			n = p.Tokens(model)
		}
	}
	saved(&rep.Examples, p)
	rep.After = last
	if opts.Budget > 0 && rep.After > opts.Budget {
		return p, rep, fmt.Errorf("optimize: %d tokens after every step, budget %d: %w", rep.After, opts.Budget,
			cost.ErrOverBudget)
	}
	return p, rep, nil
}

// mapTexts applies f to every text of p, in new slices so the caller's p is untouched.
func mapTexts(p Prompt, f func(string) string) Prompt {
	p.System, p.Question = f(p.System), f(p.Question)
	ex := make([]Example, len(p.Examples))
	for i, e := range p.Examples {
		ex[i] = Example{Input: f(e.Input), Output: f(e.Output)}
	}
	ctx := make([]string, len(p.Context))
	for i, c := range p.Context {
		ctx[i] = f(c)
	}
	p.Examples, p.Context = ex, ctx
	return p
}

// cleanText collapses whitespace line by line, drops lines equal to a boilerplate entry (ignoring case), keeps
// at most one blank line in a row and none at the ends.
func cleanText(s string, boilerplate []string) string {
	var b strings.Builder
	blank := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if slices.ContainsFunc(boilerplate, func(bp string) bool { return strings.EqualFold(bp, line) }) {
			continue
		}
		if line == "" {
			blank = true
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(line)
	}
	return b.String()
}

// dedupe keeps the first of equal blocks and drops empty ones.
func dedupe(blocks []string) []string {
	seen := make(map[string]bool, len(blocks))
	out := blocks[:0:0]
	for _, c := range blocks {
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}
