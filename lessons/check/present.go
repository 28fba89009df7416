package check

import (
	"regexp"
	"strings"
)

// present turns a test's raw output into what a learner reads: a crash as its error, where it happened and
// the hint; race reports as the two accesses of each race; failures as their messages, each followed by where
// it was reported; go test's bookkeeping lines dropped.
func present(out, hint string) string {
	var parts []string
	if sum, ok := raceSummary(out); ok {
		parts = append(parts, sum)
		out = dropRaceReports(out)
	}
	if _, at := crashLine(out); at >= 0 {
		var said []string
		for _, line := range strings.Split(out, "\n")[:at] {
			if !strings.HasPrefix(line, "runtime: ") { // the runtime's own diagnostics before a fatal error
				said = append(said, line)
			}
		}
		if before := cleanOutput(strings.Join(said, "\n")); before != "" {
			parts = append(parts, before)
		}
		sum, _ := crashSummary(out, hint)
		parts = append(parts, sum)
		return strings.Join(parts, "\n")
	}
	if c := cleanOutput(out); c != "" {
		parts = append(parts, c)
	}
	return strings.Join(parts, "\n")
}

// dropRaceReports removes the race detector's reports, and testing's line about them, from out.
func dropRaceReports(out string) string {
	var kept []string
	in := false
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case t == "==================" && i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "WARNING: DATA RACE":
			in = true
		case in && t == "==================":
			in = false
		case in:
		case strings.HasSuffix(t, "race detected during execution of test"):
		default:
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// location is the "file.go:12: " that testing puts before every message of t.Error and t.Log.
var location = regexp.MustCompile(`^(\s*)([\w.-]+\.go:\d+): (.*)$`)

// toolkitFiles are lessons/suite's files: a location there says nothing about the learner's code, since every
// check's failure is reported from them.
var toolkitFiles = map[string]bool{"check.go": true, "suite.go": true, "bubble.go": true}

// cleanOutput drops go test's own bookkeeping lines and the common indentation of the rest, and moves each
// message's "file.go:12:" location from its start to its end, so that a message starts with what is wrong.
func cleanOutput(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "", t == "PASS", t == "FAIL", strings.HasPrefix(t, "=== "), strings.HasPrefix(t, "--- "),
			strings.HasPrefix(t, "ok  "), strings.HasPrefix(t, "FAIL\t"), strings.HasPrefix(t, "exit status "):
			continue
		}
		lines = append(lines, strings.TrimRight(line, " \t"))
	}
	lines = moveLocations(lines)
	indent := -1
	for _, line := range lines {
		n := len(line) - len(strings.TrimLeft(line, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i := range lines {
		lines[i] = lines[i][max(indent, 0):]
	}
	return strings.Join(lines, "\n")
}

// moveLocations rewrites "    file.go:12: message" (and the message's more indented continuation lines) as
// "    message … (at file.go:12)".
func moveLocations(lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		m := location.FindStringSubmatch(lines[i])
		if m == nil {
			out = append(out, lines[i])
			continue
		}
		indent, where, msg := m[1], m[2], m[3]
		out = append(out, indent+msg)
		for i+1 < len(lines) && len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " \t")) > len(indent) &&
			location.FindStringSubmatch(lines[i+1]) == nil {
			i++
			out = append(out, indent+strings.TrimPrefix(lines[i][len(indent):], "    "))
		}
		if file, _, _ := strings.Cut(where, ":"); !toolkitFiles[file] {
			out[len(out)-1] += " (at " + where + ")"
		}
	}
	return out
}
