package main

import (
	"context"
	"fmt"
	"io"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/check"
)

func init() {
	register(command{
		Name:    "hint",
		Summary: "show the hint for an exercise: hint lru",
		Run:     runHint,
	})
}

func runHint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("hint", "NAME", "Shows where exercise NAME is taught and a hint for writing it.", stderr)
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	e, _ := course.Lookup(name)
	fmt.Fprintf(stdout, "%s (%s): %q in %s\n\n%s\n\nWrite it in %s, then check it: go run ./cmd/workbook check %s\n",
		e.Name, e.Topic, e.Section, e.Notebook, e.Hint, e.Dir(), e.Name)
	return nil
}

// knownExercise returns a clear error, listing the names that exist, for a name info.toml does not have.
func knownExercise(name string) error {
	if _, ok := course.Lookup(name); !ok {
		return check.UnknownError(name)
	}
	return nil
}
