package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/check"
)

func TestRun(t *testing.T) {
	lru, ok := course.Lookup("lru")
	if !ok {
		t.Fatal("info.toml has no exercise lru")
	}
	firstHintLine, _, _ := strings.Cut(lru.Hint, "\n")
	all := course.All()
	firstTwo := all[0].Name + ", " + all[1].Name
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a piece stdout must contain
		stderr string // a piece stderr must contain
	}{
		{"help", []string{"--help"}, 0, "progress", ""},
		{"no arguments", nil, 0, "Usage: go run ./cmd/workbook COMMAND", ""},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"hint", []string{"hint", "lru"}, 0, firstHintLine, ""},
		{"hint names the notebook", []string{"hint", "lru"}, 0, lru.Notebook, ""},
		{"hint unknown", []string{"hint", "lur"}, 1, "", `no exercise is called "lur"; the exercises are: ` + firstTwo},
		{"hint without name", []string{"hint"}, 2, "", "hint needs one exercise name"},
		{"hint help", []string{"hint", "-h"}, 0, "", "Usage: go run ./cmd/workbook hint"},
		{"check unknown", []string{"check", "nope"}, 1, "", `no exercise is called "nope"`},
		{"check bad flag", []string{"check", "-bogus", "lru"}, 2, "", "flag provided but not defined: -bogus"},
		{"check two names", []string{"check", "lru", "ttl"}, 2, "", "check needs one exercise name, got 2"},
		{"progress argument", []string{"progress", "lru"}, 2, "", "progress takes no arguments"},
		{"watch unknown", []string{"watch", "nope"}, 1, "", `no exercise is called "nope"`},
		{"watch bad interval", []string{"watch", "-interval", "0s"}, 2, "", "-interval must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, &stdout, &stderr)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, &stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, &stderr)
			}
		})
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	var stdout bytes.Buffer
	run(context.Background(), []string{"help"}, &stdout, &stdout)
	for name := range commands {
		if !strings.Contains(stdout.String(), name) {
			t.Errorf("help does not list %q", name)
		}
	}
}

func TestPrintProgress(t *testing.T) {
	all := course.All()[:3]
	results := []check.Result{
		{Exercise: all[0], Status: check.Done},
		{Exercise: all[1], Status: check.NotDone},
		{Exercise: all[2], Status: check.Missing, Dir: all[2].Dir()},
	}
	var b bytes.Buffer
	printProgress(&b, results)
	out := b.String()
	for _, want := range []string{
		"1  " + all[0].Name, "✓ done", "· not yet", all[2].Dir() + " is missing",
		"1 of 3 exercises done.",
		"Next: " + all[1].Name, "go run ./cmd/workbook check " + all[1].Name,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	// The list follows course order.
	if strings.Index(out, all[0].Name) > strings.Index(out, all[1].Name) {
		t.Errorf("exercises out of order:\n%s", out)
	}
	b.Reset()
	printProgress(&b, results[:1])
	if !strings.Contains(b.String(), "All done") {
		t.Errorf("all done not said:\n%s", b.String())
	}
}
