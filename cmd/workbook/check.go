package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/llmperf/workbook/lessons/check"
)

func init() {
	register(command{
		Name:    "check",
		Summary: "run one exercise's suite against your code: check lru",
		Run:     runCheck,
	})
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "NAME", "Runs the suite of exercise NAME against your code in exercises/ and says whether it is done.", stderr)
	solutions := fs.Bool("solutions", false, "check the reference solution in solutions/ instead of your code")
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	runner := check.Runner{Root: root}
	if *solutions {
		runner.Base = "solutions"
	}
	r, err := check.One(ctx, runner, name)
	if err != nil {
		return err
	}
	check.Fprint(stdout, r, nil)
	if !r.Done() {
		return fmt.Errorf("%s is %s", name, r.Status)
	}
	return nil
}

// repoRoot finds the repository from the working directory.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return check.FindRoot(wd)
}

// newFlags makes a subcommand's flag set, with a usage line naming its arguments.
func newFlags(name, argsUsage, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: go run ./cmd/workbook %s [flags] %s\n\n%s\n", name, argsUsage, about)
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseName parses flags and exactly one exercise name, which must exist.
func parseName(fs *flag.FlagSet, args []string) (string, error) {
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", usageError{fmt.Errorf("%s needs one exercise name, got %d arguments", fs.Name(), fs.NArg())}
	}
	if err := knownExercise(fs.Arg(0)); err != nil {
		return "", err
	}
	return fs.Arg(0), nil
}

// parseFlags parses args, turning a bad flag into a usage error (exit status 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return err
	default:
		return usageError{err}
	}
}

// usageError is a mistake in how the command was called; its exit status is 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// As lets run find the exit status 2 of a usage error.
func (u usageError) As(target any) bool {
	if p, ok := target.(*exitError); ok {
		*p = 2
		return true
	}
	return false
}
