package mock

import (
	"math"
	"testing"

	"github.com/llmperf/workbook/kit/data"
)

// The documented rates hold across many prompts: for each tier, kind and prompt length, the share of right
// answers is within 4 standard deviations of Accuracy, and the share of wrong answers with the wrong form within
// 4 of Catchable. Draws go through gradedAnswer with the request's real hash (model, messages, seed), without
// the API around it, so there can be many.
func TestQualityRatesMatchTheCurves(t *testing.T) {
	const draws, pool = 1000, 40
	records := map[data.TaskKind]int{data.Extract: 2, data.Count: 8, data.Needle: 24}
	for _, kind := range data.TaskKinds() {
		tasks := make([]data.Task, pool)
		for i := range tasks {
			tasks[i] = data.NewTask(kind, records[kind], int64(i))
		}
		for _, model := range []string{"gpt-5-nano", "gpt-4o-mini", "gpt-4.1", "o3"} {
			for _, promptTokens := range []int{300, 3000} {
				p := Accuracy(model, kind, promptTokens)
				right, formWrong := 0, 0
				for i := range draws {
					task := tasks[i%pool]
					seed := int64(i / pool)
					req := &chatRequest{Model: model, Seed: &seed, Messages: []message{
						{Role: "system", Content: content{Text: kind.Instruction()}},
						{Role: "user", Content: content{Text: task.Input}}}}
					answer, ok := gradedAnswer(req, mix(requestHash(req)), promptTokens)
					switch {
					case !ok:
						t.Fatalf("%s task %d is not recognised as graded", kind, i%pool)
					case task.Grade(answer):
						right++
					case kind.Validate(answer) != nil:
						formWrong++
					}
				}
				if sd := math.Sqrt(draws * p * (1 - p)); math.Abs(float64(right)-draws*p) > 4*sd+1 {
					t.Errorf("%s, %s, %d tokens: %d/%d right, documented %.3f", model, kind, promptTokens, right,
						draws, p)
				}
				wrong, share := float64(draws-right), Catchable(kind)
				if sd := math.Sqrt(wrong * share * (1 - share)); math.Abs(float64(formWrong)-wrong*share) > 4*sd+1 {
					t.Errorf("%s, %s, %d tokens: %d of %.0f wrong answers of the wrong form, documented share %.2f",
						model, kind, promptTokens, formWrong, wrong, share)
				}
			}
		}
	}
}

// The model families in tiers are exactly the chat models the mock serves.
func TestEveryChatModelHasATier(t *testing.T) {
	chat := 0
	for _, m := range knownModels {
		if m.kind != kindChat {
			continue
		}
		chat++
		if _, ok := tiers[m.id]; !ok {
			t.Errorf("chat model %s has no tier", m.id)
		}
	}
	if len(tiers) != chat {
		t.Errorf("%d models have a tier, %d chat models are served", len(tiers), chat)
	}
}

// Checking that a request is not a graded task costs next to nothing: no allocation.
func TestUngradedCheckAllocatesNothing(t *testing.T) {
	req := &chatRequest{Model: "gpt-4o-mini", Messages: []message{
		{Role: "system", Content: content{Text: "You are terse."}}, {Role: "user", Content: content{Text: "Why?"}}}}
	if n := testing.AllocsPerRun(100, func() { gradedAnswer(req, 1, 20) }); n != 0 {
		t.Errorf("%v allocations per ungraded request", n)
	}
}
