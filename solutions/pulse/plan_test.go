package pulse

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestPlanCoversTheRun checks the estimate a real run is priced by: at least as many calls as the naive mode
// (which caches nothing) makes, not wildly more, and every answer capped at MaxTokens.
func TestPlanCoversTheRun(t *testing.T) {
	log := siteLog(t, 32<<10)
	for _, opt := range []Options{{}, {Batch: 4, Group: 3, MaxTokens: 40}} {
		plan, err := Plan(bytes.NewReader(log), opt)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), ModeNaive, NewInstant(), bytes.NewReader(log), opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := int64(plan.Calls); got < res.Requests || got > res.Requests+res.Requests/10+2 {
			t.Errorf("%+v: Plan says %d calls; the naive run made %d", opt, plan.Calls, res.Requests)
		}
		if want := opt.withDefaults().MaxTokens; plan.AnswerTokens != want {
			t.Errorf("%+v: Plan caps answers at %d tokens, want MaxTokens %d", opt, plan.AnswerTokens, want)
		}
		if !strings.HasPrefix(plan.Prompt, recordPrompt) {
			t.Errorf("%+v: Plan's prompt %.40q… is not a record prompt", opt, plan.Prompt)
		}
	}
}
