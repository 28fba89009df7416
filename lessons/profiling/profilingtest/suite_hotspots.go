package profilingtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/llmperf/workbook/lessons/profiling"
)

// MaxAllocFraction is the most allocations per run a BuildPrompt may make, as a fraction of SlowBuildPrompt's
// on the same input. Allocations, unlike time, are the same on every machine.
const MaxAllocFraction = 0.125

func testHotspots(t *testing.T, build profiling.BuildFunc) {
	if build == nil {
		t.Fatal("Impl.BuildPrompt is nil: impl.go should set it to your BuildPrompt")
	}
	build("", profiling.ApproxTokens, 100) // first call in the test goroutine, so a stub's stop is reported

	t.Run("same output", func(t *testing.T) {
		if err := checkOutput(build, append(profiling.Cases(), edgeCases()...)); err != nil {
			t.Error(err)
		}
	})
	t.Run("same output with the real tokenizer", func(t *testing.T) {
		cases := []profiling.Case{
			{Name: "real tokens", Log: profiling.SampleLog(30, 42), Budget: 600},
			{Name: "real tokens unicode", Log: "2026-03-04 07:12 [WARN] site=north-7\nBöen 48 km/h 🌬️; 李伟 informiert.", Budget: 1000},
		}
		if err := checkOutputWith(build, cases, profiling.CountTokens); err != nil {
			t.Error(err)
		}
	})
	t.Run("each record counted once", func(t *testing.T) {
		if err := checkTokenCalls(build); err != nil {
			t.Error(err)
		}
	})
	t.Run("allocations", func(t *testing.T) {
		if err := checkAllocs(build); err != nil {
			t.Error(err)
		}
	})
}

// edgeCases are where a fast builder most often parts ways with the slow one: white space that the regexp \s
// (ASCII: tab, newline, form feed, carriage return, space) and strings.Fields or strings.TrimSpace (Unicode,
// and vertical tab) see differently, and phone numbers at the edge of the pattern \+?\d[\d ().-]{7,}\d (nine
// characters at least) that a shortcut test for "could hold a phone number" may skip.
func edgeCases() []profiling.Case {
	header := "2026-03-04 07:12 [WARN] site=north-7 crew=crane\n"
	var cases []profiling.Case
	for _, c := range []struct{ name, body string }{
		{"carriage returns inside a record", "Line one.\r\nline two\r\nline three\rend"},
		{"form feed and vertical tab", "a\fb \f c\vd \v e"},
		{"tabs and runs of spaces", "a\t\tb   c \t d"},
		{"a phone number of nine characters", "call 123456789 now"},
		{"eight digits are no phone number", "ref 12345678 ok"},
		{"nine characters with a plus", "dial +1234567-8 please"},
		{"digits far apart, no phone number", "lift 1 of the crane, then lift 9"},
		{"a phone number split over two lines", "call +44 20\n7946 0018 today"},
		{"a phone number at the very start", "0123456789 is the site office"},
		{"a phone number at the very end", "site office: (0)12-345.678"},
		{"punctuation runs", "room 1 (2) 3-4.5 6 and 7 . . . 8"},
		{"an e-mail without a dot after @", "mail ops@localhost or ops@site.example"},
		{"a body that starts with @", "@crane-3: mail ops@site.example"},
	} {
		cases = append(cases, profiling.Case{Name: c.name, Log: header + c.body, Budget: 1000})
	}
	return append(cases,
		profiling.Case{Name: "crlf records with crlf bodies",
			Log: strings.ReplaceAll(header+"a\nb\n\n"+header+"c  d\ne", "\n", "\r\n"), Budget: 1000},
		profiling.Case{Name: "blank lines before the first record", Log: "\n \n\n" + header + "a\n\n" + header + "b",
			Budget: 1000})
}

// checkOutput compares build with SlowBuildPrompt on every case, counting tokens with ApproxTokens.
func checkOutput(build profiling.BuildFunc, cases []profiling.Case) error {
	return checkOutputWith(build, cases, profiling.ApproxTokens)
}

func checkOutputWith(build profiling.BuildFunc, cases []profiling.Case, count func(string) int) error {
	var errs []string
	for _, c := range cases {
		want := profiling.SlowBuildPrompt(c.Log, count, c.Budget)
		got := build(c.Log, count, c.Budget)
		if got != want {
			errs = append(errs, fmt.Sprintf("case %q (budget %d): output differs from SlowBuildPrompt's\n%s",
				c.Name, c.Budget, firstDifference(got, want)))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d cases differ; first:\n%s", len(errs), len(cases), errs[0])
	}
	return nil
}

// firstDifference shows the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d:\n got: %.300q\nwant: %.300q", i+1, gl, wl)
		}
	}
	return "(no difference found)"
}

// checkTokenCalls makes sure build counts each record's tokens once, not once per record kept so far: the
// number of tokenizer calls may not exceed the number of records.
func checkTokenCalls(build profiling.BuildFunc) error {
	for _, c := range []struct {
		records, budget int
	}{{40, 1 << 30}, {60, 900}} {
		calls := 0
		count := func(s string) int { calls++; return profiling.ApproxTokens(s) }
		build(profiling.SampleLog(c.records, 7), count, c.budget)
		if calls > c.records {
			return fmt.Errorf("%d records took %d tokenizer calls; count each record once and keep a running "+
				"total (at most %d calls)", c.records, calls, c.records)
		}
	}
	return nil
}

// checkAllocs compares allocations per run of build and SlowBuildPrompt on the same sample logs. Every run gets
// a log it has not seen before (AllocsPerRun makes one warm-up call, then the measured ones), so a cache of
// earlier answers cannot stand in for a faster builder.
func checkAllocs(build profiling.BuildFunc) error {
	const runs = 3
	var logs [runs + 1]string
	for i := range logs {
		logs[i] = profiling.SampleLog(40, int64(1000+i))
	}
	perRun := func(f profiling.BuildFunc) float64 {
		i := 0
		return testing.AllocsPerRun(runs, func() {
			f(logs[i%len(logs)], profiling.ApproxTokens, 1<<30)
			i++
		})
	}
	slow, fast := perRun(profiling.SlowBuildPrompt), perRun(build)
	if fast > slow*MaxAllocFraction {
		return fmt.Errorf("%.0f allocations per run against SlowBuildPrompt's %.0f (%.2f of it); "+
			"the target is at most %.3g: profile with -memprofile and remove the biggest allocators",
			fast, slow, fast/slow, MaxAllocFraction)
	}
	return nil
}
