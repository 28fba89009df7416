package profiling

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"

	"github.com/llmperf/workbook/kit/tokens"
)

// Model is the model whose tokenizer CountTokens uses.
const Model = "gpt-4o-mini"

var tokenCalls atomic.Int64

// CountTokens is the number of tokens in text for Model, counted with the real tokenizer. Pass it as the count
// argument of a BuildFunc. It also counts its own calls (see TokenCalls), which is how the suite sees that a
// benchmark really ran the prompt builder.
func CountTokens(text string) int {
	tokenCalls.Add(1)
	return tokens.Count(Model, text)
}

// TokenCalls is how many times CountTokens has been called in this process.
func TokenCalls() int64 { return tokenCalls.Load() }

// ApproxTokens estimates tokens as one per four bytes, rounded up. It allocates nothing and is the same on
// every machine, so the suite uses it when it counts allocations and calls; prompts use CountTokens.
func ApproxTokens(text string) int { return (len(text) + 3) / 4 }

var (
	levels = []string{"INFO", "INFO", "INFO", "WARN", "WARN", "ERROR", "Debug"}
	sites  = []string{"north-7", "harbour", "depot-2", "tower-b", "ringroad"}
	crews  = []string{"crane", "concrete", "electric", "scaffold", "survey", "logistics"}
	people = []string{"J. Ortiz", "A. Nowak", "M. Haddad", "Søren Ø.", "李伟", "Zoë"}
	events = []string{
		"Wind gusts %d km/h; crane %d stopped until the gusts drop.",
		"Concrete delivery %d late by %d minutes, pour moved to the afternoon.",
		"Scaffold inspection on level %d found %d missing toe boards.",
		"Power cut in block %d for %d minutes; generator started.",
		"Survey marks on grid line %d disturbed, %d need re-staking.",
		"Near miss: load swung over walkway %d, %d workers nearby.",
	}
)

var sampleCalls atomic.Int64

// SampleLogCalls is how many times SampleLog has been called in this process: how the suite sees a benchmark
// that builds its input inside the measured loop.
func SampleLogCalls() int64 { return sampleCalls.Load() }

// SampleLog returns a seeded construction-site log of n records: headers with levels and tags, multi-line
// bodies, names, e-mail addresses, phone numbers and now and then non-ASCII text. The same (n, seed) always
// gives the same log.
func SampleLog(n int, seed int64) string {
	sampleCalls.Add(1)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "2026-03-%02d %02d:%02d [%s] site=%s crew=%s\n",
			1+rng.IntN(28), 6+rng.IntN(12), rng.IntN(60),
			levels[rng.IntN(len(levels))], sites[rng.IntN(len(sites))], crews[rng.IntN(len(crews))])
		fmt.Fprintf(&b, events[rng.IntN(len(events))], 1+rng.IntN(60), 1+rng.IntN(9))
		for range rng.IntN(3) {
			p := people[rng.IntN(len(people))]
			switch rng.IntN(3) {
			case 0:
				fmt.Fprintf(&b, "\n  Reported by %s, call +44 20 7946 %04d.", p, rng.IntN(10000))
			case 1:
				fmt.Fprintf(&b, "\n\tCopy to %s <site%d.lead@example.com>.", p, rng.IntN(9))
			default:
				fmt.Fprintf(&b, "\nFollow-up   with %s   tomorrow (%d items).", p, rng.IntN(20))
			}
		}
	}
	return b.String()
}

// Case is one input the suite gives both the slow reference and the implementation under test.
type Case struct {
	Name   string
	Log    string
	Budget int
}

// Cases are the suite's inputs: edge cases (empty, blank, no header, Unicode and Unicode spaces, invalid
// UTF-8, HTML characters, CRLF, very long lines, budgets of zero and exactly-fitting) and seeded sample logs.
func Cases() []Case {
	header := "2026-03-04 07:12 [WARN] site=north-7 crew=crane\n"
	long := strings.Repeat("pallet "+strings.Repeat("x", 50)+" ", 400)
	cases := []Case{
		{"empty", "", 1000},
		{"blank lines only", "\n \n\t\n\n", 1000},
		{"one record", header + "Crane 2 stopped.", 1000},
		{"no header", "just a note\nwith two lines", 1000},
		{"header only", "2026-03-04 07:12:59 [INFO]", 1000},
		{"header without tags", "2026-03-04 07:12 [ERROR] \nPump failed.", 1000},
		{"odd tags", header[:24] + "site= =x crew=a=b crew=c flag\nText.", 1000},
		{"bad header", "2026-3-4 7:12 [WARN] site=x\nText.", 1000},
		{"unicode", header + "Kran 2 gestoppt – Böen 48 km/h 🌬️; 李伟 informiert.\nç'est noté.", 1000},
		{"unicode spaces", header + "no\u00a0break\u2003em\u3000ideographic  ascii\u00a0 mix", 1000},
		{"invalid utf-8", header + "bad \xff\xfe bytes \xc3", 1000},
		{"html", header + "<b>load</b> & \"quotes\" 'single' \u2028 sep", 1000},
		{"crlf", strings.ReplaceAll(header+"Line one.\n\nline two\n", "\n", "\r\n"), 1000},
		{"many blank lines", header + "a\n\n\n\n  \n\t\n" + header + "b\n\n\n", 1000},
		{"long line", header + long, 100000},
		{"contacts", header + "Call +1 (555) 010-0199 or j.ortiz+site@mail.example.co.uk, not 12 34.", 1000},
		{"budget zero", SampleLog(5, 1), 0},
		{"budget negative", SampleLog(5, 1), -1},
	}
	// A budget that fits exactly the first three records, and one token less: the boundary must match.
	three := 0
	for _, r := range strings.Split(SlowBuildPrompt(SampleLog(3, 2), ApproxTokens, 1<<30), "\n")[3:6] {
		three += ApproxTokens(r + "\n")
	}
	cases = append(cases, Case{"budget exact", SampleLog(6, 2), three}, Case{"budget one short", SampleLog(6, 2), three - 1})
	for seed := range int64(8) {
		n := 1 + int(seed)*7
		cases = append(cases, Case{fmt.Sprintf("sample %d records", n), SampleLog(n, seed), 40 * n})
	}
	cases = append(cases, Case{"sample cut by budget", SampleLog(60, 99), 900})
	return cases
}
