package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/check"
)

func init() {
	register(command{
		Name:    "watch",
		Summary: "re-check on every save in exercises/: watch [NAME]",
		Run:     runWatch,
	})
}

func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("watch", "[NAME]", "Checks exercise NAME (or, without NAME, your next unfinished exercise) each time a .go file\n"+
		"under exercises/ changes. Stop it with Ctrl-C.", stderr)
	interval := fs.Duration("interval", 500*time.Millisecond, "how often to look for changes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return usageError{fmt.Errorf("watch takes at most one exercise name, got %q", fs.Args())}
	}
	if *interval <= 0 {
		return usageError{fmt.Errorf("-interval must be positive, got %v", *interval)}
	}
	name := fs.Arg(0)
	if name != "" {
		if err := knownExercise(name); err != nil {
			return err
		}
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	runner := check.Runner{Root: root}
	recheck := func(ctx context.Context) {
		fmt.Fprintf(stdout, "\n[%s] ", time.Now().Format("15:04:05"))
		if name != "" {
			r, err := check.One(ctx, runner, name)
			if ctx.Err() == nil {
				check.Fprint(stdout, r, err)
			}
			return
		}
		results, err := runner.Run(ctx, course.All()...)
		if err != nil {
			if ctx.Err() == nil {
				fmt.Fprintln(stdout, "check:", err)
			}
			return
		}
		next := -1
		for i, r := range results {
			if !r.Done() {
				next = i
				break
			}
		}
		fmt.Fprintf(stdout, "%d of %d exercises done.\n", check.Count(results), len(results))
		if next >= 0 {
			check.Fprint(stdout, results[next], nil)
		}
	}
	fmt.Fprintf(stderr, "watching %s for changes (Ctrl-C to stop)\n", filepath.Join(root, "exercises"))
	return watchLoop(ctx, filepath.Join(root, "exercises"), *interval, recheck)
}

// watchLoop calls recheck once, then again after each change to the .go files under dir, until ctx ends. A
// change is acted on once the files have stayed the same for one interval, so a burst of saves checks once.
func watchLoop(ctx context.Context, dir string, interval time.Duration, recheck func(context.Context)) error {
	recheck(ctx)
	last := snapshot(dir)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	changed := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		now := snapshot(dir)
		switch {
		case now != last:
			last, changed = now, true
		case changed:
			changed = false
			recheck(ctx)
		}
	}
}

// snapshot summarizes the names, sizes and modification times of the .go files under dir.
func snapshot(dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}
