package costtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/lessons/cost"
)

// gradedSet is nine graded tasks (kit/data) on which the mock's gpt-4o-mini and gpt-4o, asked directly, do
// every thing a cascade must handle: a cheap answer that is right (keep it), one of the wrong form (escalate),
// one of the right form but wrong (keep it: no validator can see it), and both answers of the wrong form
// (ErrRejected). The mock's answers are deterministic; checkRouterGraded says so if a change of the mock ever
// takes one of these cases away.
func gradedSet() []data.Task {
	tasks := make([]data.Task, 9)
	for i := range tasks {
		tasks[i] = data.NewTask(data.TaskKinds()[i%3], []int{2, 12, 24}[i%3], 22100+int64(i))
	}
	return tasks
}

func gradedRequest(t data.Task) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{Messages: t.Messages(), MaxTokens: routerMaxTokens}
}

// direct is one model's answer to one task, asked without a router.
type direct struct {
	text  string
	valid error // cost.ValidateTask's verdict
	right bool  // Task.Grade's
	cost  prices.Money
}

// cascade is what a correct router does with one task: the models it calls, the answer it returns, its cost.
type cascade struct {
	first    direct // the cheap model's answer
	tried    []string
	final    direct
	model    string
	rejected bool
	cost     prices.Money
}

func expectCascade(answers []direct, models []string) cascade {
	c := cascade{first: answers[0]}
	for i, a := range answers {
		c.tried = append(c.tried, models[i])
		c.final, c.model = a, models[i]
		c.cost += a.cost
		if a.valid == nil {
			return c
		}
	}
	c.rejected = true
	return c
}

// gradedReference is what a correct cascade does with each task of gradedSet, worked out once per process from
// each model's answer asked directly of a mock of its own.
var gradedReference = sync.OnceValues(func() (gradedRef, error) {
	ctx := context.Background()
	models := []string{cheapModel, strongModel}
	ref := gradedRef{tasks: gradedSet()}
	_, client := newMock()
	cases := map[string]int{}
	for i, task := range ref.tasks {
		answers := make([]direct, len(models))
		for j, m := range models {
			req := gradedRequest(task)
			req.Model = m
			resp, err := client.CreateChatCompletion(ctx, req)
			if err != nil || len(resp.Choices) == 0 {
				return ref, fmt.Errorf("suite bug: graded task %d on %s: %v", i, m, err)
			}
			text := resp.Choices[0].Message.Content
			answers[j] = direct{text: text, valid: cost.ValidateTask(req, resp), right: task.Grade(text),
				cost: costOf(resp)}
			ref.single[j].cost += answers[j].cost
			if answers[j].right {
				ref.single[j].right++
			}
		}
		w := expectCascade(answers, models)
		ref.want = append(ref.want, w)
		switch cheap := answers[0]; {
		case cheap.valid == nil && cheap.right:
			cases["right"]++
		case cheap.valid == nil:
			cases["wrong but valid"]++
		case w.rejected:
			cases["rejected"]++
		default:
			cases["escalated"]++
		}
	}
	for _, c := range []string{"right", "wrong but valid", "escalated", "rejected"} {
		if cases[c] == 0 {
			return ref, fmt.Errorf("suite bug: no graded task where the cheap answer is %s (%v)", c, cases)
		}
	}
	return ref, nil
})

type gradedRef struct {
	tasks  []data.Task
	want   []cascade
	single [2]struct { // each model alone
		right int
		cost  prices.Money
	}
}

func checkRouterGraded(newRouter func(cost.RouterConfig) (cost.Router, error)) findings {
	var f findings
	ctx := context.Background()
	models := []string{cheapModel, strongModel}
	ref, err := gradedReference()
	if err != nil {
		return append(f, err)
	}
	tasks, want, single := ref.tasks, ref.want, ref.single

	// The router, on a fresh mock, with the tasks asked concurrently.
	srv, client := newMock()
	r, err := newRouter(cost.RouterConfig{Client: client, Models: models, Check: cost.ValidateTask})
	if err != nil {
		return append(f, fmt.Errorf("NewRouter: unexpected error %v", err))
	}
	got := make([]cost.Answer, len(tasks))
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Go(func() { got[i], errs[i] = r.Complete(ctx, gradedRequest(task)) })
	}
	wg.Wait()

	var right, calls int
	var spent prices.Money
	for i, task := range tasks {
		w, g := want[i], got[i]
		calls += len(w.tried)
		spent += w.cost
		text := ""
		if len(g.Response.Choices) > 0 {
			text = g.Response.Choices[0].Message.Content
		}
		if task.Grade(text) && errs[i] == nil {
			right++
		}
		verdict := clip(w.first.text) + " passes the check"
		if w.first.valid != nil {
			verdict = fmt.Sprintf("fails the check (%v)", w.first.valid)
		}
		what := fmt.Sprintf("graded task %d (%s over %d records): %s's answer %s", i, task.Kind, task.Records,
			cheapModel, verdict)
		switch {
		case !slices.Equal(g.Tried, w.tried):
			f.errorf("%s; Tried %q, want %q (call the next model when, and only when, Check fails)", what,
				g.Tried, w.tried)
		case w.rejected && !errors.Is(errs[i], cost.ErrRejected):
			f.errorf("%s; both answers fail the check: want an error that errors.Is ErrRejected, got %v", what,
				errs[i])
		case !w.rejected && errs[i] != nil:
			f.errorf("%s; an answer passed the check: want no error, got %v", what, errs[i])
		case g.Model != w.model || text != w.final.text:
			f.errorf("%s; Answer.Model %q with %q, want %q with %q (the answer that passed the check, else "+
				"the last)", what, g.Model, text, w.model, w.final.text)
		case g.Cost != w.cost:
			f.errorf("%s; Answer.Cost %v, want %v (every call made for this request)", what, g.Cost, w.cost)
		}
	}
	wantRight := 0
	for _, w := range want {
		if w.final.right && !w.rejected {
			wantRight++
		}
	}
	if right != wantRight || r.Spent() != spent || srv.Stats().Requests != int64(calls) {
		f.errorf("%d graded tasks: the router was right on %d for %v in %d calls; a cascade %s → %s with "+
			"cost.ValidateTask is right on %d for %v in %d calls (%s alone: %d right for %v; %s alone: %d "+
			"right for %v)", len(tasks), right, r.Spent(), srv.Stats().Requests, cheapModel, strongModel,
			wantRight, spent, calls, cheapModel, single[0].right, single[0].cost, strongModel, single[1].right,
			single[1].cost)
	}
	return f
}

// clip quotes an answer, shortened to what a message can show.
func clip(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}
