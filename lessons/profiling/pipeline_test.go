package profiling_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/lessons/profiling"
)

func TestPipelineStages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := profiling.RealisticMock()
		p := profiling.Pipeline{Client: llm.NewMock(cfg), Budget: 500}
		res, err := p.Run(context.Background(), profiling.SampleLog(20, 1))
		if err != nil {
			t.Fatal(err)
		}
		names := []string{}
		for _, s := range res.Stages {
			names = append(names, s.Name)
		}
		if got := strings.Join(names, ","); got != "build prompt,model call,tidy answer" {
			t.Fatalf("stages %s", got)
		}
		// Virtual time moves only while every goroutine waits: CPU work takes none of it, the call all of it.
		if w := res.Stages[0].Wall(); w != 0 {
			t.Errorf("build prompt took %v of virtual time, want 0", w)
		}
		wantCall := cfg.TTFT + time.Duration(cfg.AnswerTokens-1)*cfg.InterToken
		if w := res.Stages[1].Wall(); w < wantCall {
			t.Errorf("model call took %v, want at least %v", w, wantCall)
		}
		if res.Answer == "" || res.Usage.CompletionTokens != cfg.AnswerTokens {
			t.Errorf("answer %q, usage %+v", res.Answer, res.Usage)
		}
		if res.Prompt != profiling.SlowBuildPrompt(profiling.SampleLog(20, 1), profiling.CountTokens, 500) {
			t.Error("the pipeline's prompt is not SlowBuildPrompt's")
		}
	})
}

func TestPipelineNeedsClient(t *testing.T) {
	if _, err := (profiling.Pipeline{}).Run(context.Background(), "x"); err == nil {
		t.Error("a Pipeline without a client ran")
	}
}

func TestCPUTimeAdvances(t *testing.T) {
	start := profiling.CPUTime()
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	end := profiling.CPUTime()
	if end == 0 {
		t.Skipf("CPU time is not read on this system (x=%d)", x)
	}
	if end <= start {
		t.Errorf("CPU time went from %v to %v over a busy loop", start, end)
	}
}
