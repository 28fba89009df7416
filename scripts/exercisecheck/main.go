// Command exercisecheck proves that the exercises are set up right, as exercism's stub tests and rustlings'
// checks do: for every exercise in kit/course/info.toml, the learner's stub fails its suite with the message
// that points to its lesson, and the reference solution passes the same suite.
//
//	go run ./scripts/exercisecheck
//
// Each exercise runs alone, exactly as a learner would check it:
// go test ./exercises/TOPIC -run '^TestTOPIC$/^NAME$' (and the same in solutions/). It prints one line per
// exercise, "ok   NAME" or "FAIL NAME: reasons", and exits 1 if any failed.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/check"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "exercisecheck:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := check.FindRoot(wd)
	if err != nil {
		return err
	}
	all := course.All()
	stubs := make([]check.Result, len(all))
	sols := make([]check.Result, len(all))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	for i, e := range all {
		g.Go(func() (err error) {
			stubs[i], err = one(ctx, check.Runner{Root: root}, e)
			return err
		})
		g.Go(func() (err error) {
			sols[i], err = one(ctx, check.Runner{Root: root, Base: "solutions"}, e)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	failed := 0
	for i, e := range all {
		problems := append(stubProblems(stubs[i]), solutionProblems(sols[i])...)
		if len(problems) == 0 {
			fmt.Printf("ok   %-12s %s fails with its message; %s passes\n", e.Name, stubs[i].Dir, sols[i].Dir)
			continue
		}
		failed++
		fmt.Printf("FAIL %-12s %s\n", e.Name, strings.Join(problems, "; "))
	}
	fmt.Printf("exercise check: %d of %d exercises set up right\n", len(all)-failed, len(all))
	if failed > 0 {
		return fmt.Errorf("%d exercise(s) not set up right", failed)
	}
	return nil
}

func one(ctx context.Context, r check.Runner, e course.Exercise) (check.Result, error) {
	rs, err := r.Run(ctx, e)
	if err != nil {
		return check.Result{}, fmt.Errorf("%s: %w", e.Name, err)
	}
	return rs[0], nil
}

// stubProblems says what is wrong with how the learner's stub meets its suite: it must fail, saying "not done
// yet" and naming the notebook to read.
func stubProblems(r check.Result) []string {
	e := r.Exercise
	switch r.Status {
	case check.NotDone:
		if !strings.Contains(r.Output, e.Notebook) {
			return []string{fmt.Sprintf("stub's message does not name %s: %s", e.Notebook, firstLine(r.Output))}
		}
		return nil
	case check.Done:
		return []string{fmt.Sprintf("stub in %s passes its suite: it must stop with todo.Exercise(%q)", r.Dir, e.Name)}
	case check.Missing:
		return []string{r.Summary()}
	default:
		return []string{fmt.Sprintf("stub in %s: %s: %s", r.Dir, r.Status, firstLine(r.Output))}
	}
}

// solutionProblems says what is wrong with the reference solution: it must pass.
func solutionProblems(r check.Result) []string {
	switch r.Status {
	case check.Done:
		return nil
	case check.Missing:
		return []string{r.Summary()}
	default:
		return []string{fmt.Sprintf("solution in %s: %s: %s", r.Dir, r.Status, firstLine(r.Output))}
	}
}

func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if len(line) > 200 {
				line = line[:200] + "…"
			}
			return line
		}
	}
	return "(no output)"
}
