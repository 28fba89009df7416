// Command workbook is the learner's command line for the course: it lists progress, gives hints, checks
// exercises, runs the mock LLM server, sends batches of requests within rate limits, and runs the capstone.
//
//	go run ./cmd/workbook progress
//	go run ./cmd/workbook hint lru
//	go run ./cmd/workbook check lru
//	go run ./cmd/workbook mock -addr 127.0.0.1:8080
//	go run ./cmd/workbook batch -in requests.jsonl -out results.jsonl
//
// Each subcommand lives in a file of its own and registers itself with register.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/llmperf/workbook/kit/redact"
)

// command is one subcommand of workbook.
type command struct {
	Name    string // what the learner types
	Summary string // one line for the command list
	// Run runs the command with the arguments after its name. Output goes to stdout and stderr; a returned
	// error is printed as "workbook NAME: error" and makes the exit status 1. Return flag.ErrHelp after
	// printing usage for -h.
	Run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// register adds a subcommand; files call it from init.
func register(c command) {
	if _, dup := commands[c.Name]; dup {
		panic("workbook: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit status. Everything the commands write passes through
// kit/redact, so the API key (registered by lessons/llm when the program starts) and credentials in URLs are
// never printed, whoever quotes them.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	out, errOut := redact.NewWriter(stdout), redact.NewWriter(stderr)
	defer out.Flush()
	defer errOut.Flush()
	stdout, stderr = out, errOut
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "workbook: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := c.Run(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(stderr, "workbook %s: %v\n", c.Name, err)
		var ex exitError
		if errors.As(err, &ex) {
			return int(ex)
		}
		return 1
	}
}

// exitError is an error whose value is the exit status to use, for commands (like flag parsing) that want 2.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func usage(w io.Writer) {
	fmt.Fprintln(w, "workbook: the command line of the LLM performance course.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: go run ./cmd/workbook COMMAND [flags]   (COMMAND -h shows its flags)")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].Summary)
	}
}
