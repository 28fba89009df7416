package profiling

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// RealisticMock is a mock model with real-world latency: 0.6 s to the first token, then 10 ms a token for a
// 150-token answer, about 2 s a call. Use it with llm.NewMock when the point is how long a call really waits.
func RealisticMock() mock.Config {
	return mock.Config{TTFT: 600 * time.Millisecond, InterToken: 10 * time.Millisecond, AnswerTokens: 150, Seed: 1}
}

// Stage is one step of a pipeline run, timed on the wall clock and on the process's CPU clock.
type Stage struct {
	Name       string
	Start, End time.Duration // wall-clock offsets from the start of the run
	CPU        time.Duration // CPU time the whole process used during the stage (0 where it cannot be read)
}

// Wall is how long the stage took on the wall clock.
func (s Stage) Wall() time.Duration { return s.End - s.Start }

// Result is what a pipeline run produced and how long each stage took.
type Result struct {
	Prompt, Answer string
	Usage          openai.Usage
	Stages         []Stage
}

// Pipeline summarizes a site log with a model, in three stages: build the prompt (CPU), call the model
// (waiting) and tidy the answer (CPU). Its zero value is not usable: set Client.
type Pipeline struct {
	Client *llm.Client
	Build  BuildFunc // the prompt builder; nil means SlowBuildPrompt
	Budget int       // token budget for the log records; 0 means 4000
}

// Run runs the pipeline once on log and times every stage.
func (p Pipeline) Run(ctx context.Context, log string) (Result, error) {
	if p.Client == nil {
		return Result{}, fmt.Errorf("profiling: Pipeline.Client is nil")
	}
	build := p.Build
	if build == nil {
		build = SlowBuildPrompt
	}
	budget := p.Budget
	if budget == 0 {
		budget = 4000
	}
	var res Result
	start := time.Now()
	stage := func(name string, f func() error) error {
		cpu0, t0 := CPUTime(), time.Since(start)
		err := f()
		res.Stages = append(res.Stages, Stage{Name: name, Start: t0, End: time.Since(start), CPU: CPUTime() - cpu0})
		return err
	}
	stage("build prompt", func() error {
		res.Prompt = build(log, CountTokens, budget)
		return nil
	})
	if err := stage("model call", func() (err error) {
		res.Answer, res.Usage, err = p.Client.Chat(ctx, res.Prompt)
		return err
	}); err != nil {
		return res, err
	}
	stage("tidy answer", func() error {
		res.Answer = strings.Join(strings.Fields(res.Answer), " ")
		return nil
	})
	return res, nil
}
