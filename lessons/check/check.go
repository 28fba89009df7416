// Package check runs one exercise's suite and tells the learner, in a line or two, whether it is done.
//
// In a notebook's "check your work" cell:
//
//	check.Exercise("lru")
//
// shows "lru: done ✓", or "not done yet" with the section to read and the way to a hint, or the suite's own
// words when the code runs but is wrong, or the compiler's when it does not build. It never panics and never
// fails the cell: an unfinished exercise is a normal state, not an error. The learner's command line
// (`go run ./cmd/workbook check lru`) uses the same Runner.
package check

import (
	"context"
	"fmt"
	htmlpkg "html"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/kit/redact"
	"github.com/llmperf/workbook/lessons/llm"
)

// Timeout bounds one check from a notebook, compilation included.
const Timeout = 5 * time.Minute

// Exercise runs the named exercise's suite against the learner's code in exercises/ and shows the result: as
// HTML in a GoNB cell, as text on standard output elsewhere. Like Fprint and HTML, it shows nothing that
// kit/redact removes (the API key, credentials in URLs).
func Exercise(name string) {
	llm.Env() // registers the key with kit/redact: what the suite printed is shown without it
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	r, err := One(ctx, Runner{}, name)
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(HTML(r, err))
		// The cell's program exits right after this call; without Sync the display can be lost in the pipe.
		gonbui.Sync()
		return
	}
	Fprint(os.Stdout, r, err)
}

// One runs a single exercise by name with runner.
func One(ctx context.Context, runner Runner, name string) (Result, error) {
	e, ok := course.Lookup(name)
	if !ok {
		return Result{}, UnknownError(name)
	}
	rs, err := runner.Run(ctx, e)
	if err != nil {
		return Result{Exercise: e}, fmt.Errorf("could not run the suite of %q: %w", name, err)
	}
	return rs[0], nil
}

// UnknownError is the error for a name that kit/course/info.toml does not list; it lists the names that exist.
func UnknownError(name string) error {
	var names []string
	for _, e := range course.All() {
		names = append(names, e.Name)
	}
	return fmt.Errorf("no exercise is called %q; the exercises are: %s", name, strings.Join(names, ", "))
}

// Fprint writes a result as text: its summary, then what the suite or the compiler said.
func Fprint(w io.Writer, r Result, err error) {
	if err != nil {
		fmt.Fprintln(w, redact.String("check: "+err.Error()))
		return
	}
	fmt.Fprintln(w, redact.String(r.Summary()))
	if d := Details(r); d != "" {
		fmt.Fprintln(w, redact.String(indent(d, "    ")))
	}
	if r.Note != "" {
		fmt.Fprintln(w, redact.String(indent(r.Note, "    ")))
	}
}

// Details is what to show under the summary: the suite's or the compiler's words, when they add anything.
func Details(r Result) string {
	switch r.Status {
	case Done, NotDone, Missing:
		return ""
	case NoCompile:
		return limitLines(r.Output, 30)
	default:
		return limitLines(r.Output, 40)
	}
}

// HTML renders a result as a compact block for a notebook cell.
func HTML(r Result, err error) string { return redact.String(resultHTML(r, err)) }

func resultHTML(r Result, err error) (html string) {
	const box = `<div style="font-family:sans-serif;border-left:4px solid %s;padding:4px 10px;margin:4px 0">%s</div>`
	if err == nil && r.Note != "" {
		defer func() {
			html += `<div style="font-family:sans-serif;font-size:smaller;color:#666;margin:0 0 4px 14px">` +
				htmlpkg.EscapeString(r.Note) + `</div>`
		}()
	}
	if err != nil {
		return fmt.Sprintf(box, "#c00", "⚠ check: "+htmlpkg.EscapeString(err.Error()))
	}
	e := r.Exercise
	name := "<b>" + htmlpkg.EscapeString(e.Name) + "</b>"
	switch r.Status {
	case Done:
		return fmt.Sprintf(box, "#2a2", name+": done ✓")
	case NotDone:
		if len(r.Needs) > 0 {
			return fmt.Sprintf(box, "#d90", name+": not done yet — "+htmlpkg.EscapeString(
				strings.TrimPrefix(r.Summary(), e.Name+": not done yet — ")))
		}
		body := fmt.Sprintf(`%s: not done yet — read “%s” in %s, then write your code in <code>%s</code>.`+
			`<details><summary>hint</summary><pre style="white-space:pre-wrap">%s</pre></details>`,
			name, htmlpkg.EscapeString(e.Section), htmlpkg.EscapeString(path.Base(e.Notebook)),
			htmlpkg.EscapeString(r.Dir), htmlpkg.EscapeString(e.Hint))
		return fmt.Sprintf(box, "#d90", body)
	}
	body := htmlpkg.EscapeString(r.Summary())
	if d := Details(r); d != "" {
		body += `<pre style="white-space:pre-wrap;margin:4px 0">` + htmlpkg.EscapeString(d) + `</pre>`
	}
	return fmt.Sprintf(box, "#c00", body)
}

// Count returns how many of the results are done.
func Count(results []Result) (done int) {
	for _, r := range results {
		if r.Done() {
			done++
		}
	}
	return done
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func limitLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines: run go test yourself to see them all)", len(lines)-n)
}
