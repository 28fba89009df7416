// Package progress shows how far a long job has got: in place in a GoNB notebook cell, as a bar on a terminal.
//
// The idea: a wait that shows progress is a wait people sit through. New(label, total) returns a Bar; Add
// counts finished work from any goroutine; Done writes the final state. In a notebook the bar is a transient
// output updated in place and replaced by one final line; on a terminal it is redrawn with \r on standard
// error; when standard error is a file or a pipe, only the final line is written. Redraws are throttled, so
// Add is cheap enough to call per item. What a Bar draws passes through kit/redact.
package progress

import (
	"fmt"
	htmlpkg "html"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/llmperf/workbook/kit/redact"
)

// Every is the minimum time between two redraws.
const Every = 100 * time.Millisecond

// Bar is one progress display. The zero Bar is usable (no label, unknown total, drawn on standard error);
// its methods are safe for concurrent use.
type Bar struct {
	mu       sync.Mutex
	label    string
	total    int
	done     int
	start    time.Time
	lastDraw time.Time
	finished bool

	out      io.Writer // text output; nil means standard error
	live     bool      // redraw in place with \r (a terminal)
	notebook bool      // draw with gonbui
	id       string    // GoNB transient display id
	started  bool
}

// New starts a bar for total units of work (total ≤ 0: unknown) named label. It draws in the GoNB cell when
// run by GoNB, on standard error otherwise.
func New(label string, total int) *Bar {
	b := &Bar{label: label, total: total}
	b.init()
	return b
}

// NewText starts a bar that writes text lines to w; live selects redrawing in place with \r (for terminals)
// rather than writing only the final line.
func NewText(w io.Writer, label string, total int, live bool) *Bar {
	b := &Bar{label: label, total: total, out: w, live: live, started: true, start: time.Now()}
	return b
}

func (b *Bar) init() {
	if b.started {
		return
	}
	b.started = true
	b.start = time.Now()
	switch {
	case b.out != nil:
	case gonbui.IsNotebook:
		b.notebook = true
		b.id = "progress_" + gonbui.UniqueId()
	default:
		b.out = os.Stderr
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b.live = true
		}
	}
}

// Add records n more units done and redraws if the last redraw is older than Every.
func (b *Bar) Add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.init()
	if b.finished {
		return
	}
	b.done += n
	now := time.Now()
	if now.Sub(b.lastDraw) < Every || (!b.live && !b.notebook) {
		return
	}
	b.lastDraw = now
	b.draw(now, false)
}

// Done draws the final state and ends the line: 100% when the work added up to the total, otherwise the count
// reached and the word "stopped" (a job that ended early, e.g. on an error), never an estimate of time left.
// Calls after the first do nothing.
func (b *Bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.init()
	if b.finished {
		return
	}
	b.finished = true
	b.draw(time.Now(), true)
}

func (b *Bar) draw(now time.Time, final bool) {
	elapsed := now.Sub(b.start)
	if b.notebook {
		h := redact.String(html(b.label, b.done, b.total, elapsed, final))
		if final {
			gonbui.UpdateHTML(b.id, "") // drop the transient output…
			gonbui.DisplayHTML(h)       // …and leave a permanent final line
			gonbui.Sync()
			return
		}
		gonbui.UpdateHTML(b.id, h)
		return
	}
	line := redact.String(text(b.label, b.done, b.total, elapsed, 30, final))
	switch {
	case b.live && final:
		fmt.Fprintf(b.out, "\r%s\x1b[K\n", line)
	case b.live:
		fmt.Fprintf(b.out, "\r%s\x1b[K", line)
	case final:
		fmt.Fprintln(b.out, line)
	}
}

// Text renders a progress line: label, a bar width characters wide, the counts, the percentage, the elapsed time
// and an estimate of the time left. With total ≤ 0 it shows the count and rate only.
//
//	caching [###########...................]  37/100  37%  1.2s  ~2.1s left
func Text(label string, done, total int, elapsed time.Duration, width int) string {
	return text(label, done, total, elapsed, width, false)
}

// stopped is what a final line says instead of the time left when the work ended short of its total.
const stopped = "stopped"

func text(label string, done, total int, elapsed time.Duration, width int, final bool) string {
	var s strings.Builder
	if label != "" {
		s.WriteString(label + " ")
	}
	if total <= 0 {
		fmt.Fprintf(&s, "%d done  %v", done, round(elapsed))
		if done > 0 && elapsed > 0 {
			fmt.Fprintf(&s, "  %.1f/s", float64(done)/elapsed.Seconds())
		}
		return s.String()
	}
	f := fraction(done, total)
	filled := int(f * float64(width))
	s.WriteString("[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]")
	fmt.Fprintf(&s, "  %d/%d  %d%%  %v", done, total, int(f*100), round(elapsed))
	if final && done < total {
		s.WriteString("  " + stopped)
	} else if left, ok := remaining(done, total, elapsed); ok && !final {
		fmt.Fprintf(&s, "  ~%v left", round(left))
	}
	return s.String()
}

// HTML renders the same information as Text as an HTML line with a <progress> element.
func HTML(label string, done, total int, elapsed time.Duration) string {
	return html(label, done, total, elapsed, false)
}

func html(label string, done, total int, elapsed time.Duration, final bool) string {
	var s strings.Builder
	s.WriteString(`<div class="llmperf-progress" style="font-family:monospace">`)
	if label != "" {
		s.WriteString(htmlpkg.EscapeString(label) + " ")
	}
	if total <= 0 {
		fmt.Fprintf(&s, `<progress></progress> %d done · %v`, done, round(elapsed))
	} else {
		f := fraction(done, total)
		fmt.Fprintf(&s, `<progress value="%d" max="%d"></progress> %d/%d · %d%% · %v`,
			min(max(done, 0), total), total, done, total, int(f*100), round(elapsed))
		if final && done < total {
			s.WriteString(" · " + stopped)
		} else if left, ok := remaining(done, total, elapsed); ok && !final {
			fmt.Fprintf(&s, " · ~%v left", round(left))
		}
	}
	s.WriteString("</div>")
	return s.String()
}

func fraction(done, total int) float64 {
	return min(max(float64(done)/float64(total), 0), 1)
}

// remaining estimates the time left at the average rate so far; none before any work is done or after the end.
func remaining(done, total int, elapsed time.Duration) (time.Duration, bool) {
	if done <= 0 || done >= total || elapsed <= 0 {
		return 0, false
	}
	return time.Duration(float64(elapsed) * float64(total-done) / float64(done)), true
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}
