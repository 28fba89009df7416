package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/check"
)

func init() {
	register(command{
		Name:    "progress",
		Summary: "list the exercises in course order, done or not",
		Run:     runProgress,
	})
}

func runProgress(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("progress", "", "Runs every exercise's suite against your code (one go test) and lists the exercises in course order.", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usageError{fmt.Errorf("progress takes no arguments, got %q", fs.Args())}
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "checking every exercise (the first run compiles them all; later runs are cached)…")
	results, err := check.Runner{Root: root}.Run(ctx, course.All()...)
	if err != nil {
		return err
	}
	printProgress(stdout, results)
	if len(results) > 0 && results[0].Note != "" {
		fmt.Fprintln(stderr, results[0].Note)
	}
	return nil
}

// mark is the status column of the progress list.
func mark(r check.Result) string {
	switch r.Status {
	case check.Done:
		return "✓ done"
	case check.NotDone:
		return "· not yet"
	case check.Failing:
		return "✗ failing"
	case check.NoCompile:
		return "✗ does not compile"
	case check.Missing:
		return "– " + r.Dir + " is missing"
	default:
		return "? not run"
	}
}

// printProgress writes the ordered list, the count, and what to do next.
func printProgress(w io.Writer, results []check.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\texercise\ttopic\tstatus")
	for i, r := range results {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", i+1, r.Exercise.Name, r.Exercise.Topic, mark(r))
	}
	tw.Flush()
	done := check.Count(results)
	fmt.Fprintf(w, "\n%d of %d exercises done.\n", done, len(results))
	for _, r := range results {
		if r.Done() {
			continue
		}
		e := r.Exercise
		fmt.Fprintf(w, "Next: %s — read %q in %s, then: go run ./cmd/workbook check %s\n",
			e.Name, e.Section, e.Notebook, e.Name)
		return
	}
	if len(results) > 0 {
		fmt.Fprintln(w, "All done: well played.")
	}
}
