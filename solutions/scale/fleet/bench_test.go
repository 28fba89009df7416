package fleet_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redislocal"
	"github.com/llmperf/workbook/solutions/scale/fleet"
)

// BenchmarkFourProcesses is the four-process measurement: four `workbook batch` processes against one
// standalone mock limited at the key's TPM: with the limit shared through Redis; each alone, told the key's
// limits; and each learning the limits from the provider's headers (batch's default). It reports, per mode, the share of the best possible time reached (%best), the 429s, and the
// tokens the mock admitted over what the limit allows for the run (admitted/allowed: at most 1).
//
//	go test ./solutions/scale/fleet -run '^$' -bench FourProcesses -benchtime 1x
func BenchmarkFourProcesses(b *testing.B) {
	srv := redislocal.Test(b)
	bin, err := fleet.Build(b.Context(), filepath.Join("..", "..", ".."), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	const procs, each, answer = 4, 75, 100
	prompts := make([][]string, procs)
	total := 0
	for p := range prompts {
		for i := range each {
			prompts[p] = append(prompts[p], fmt.Sprintf("Process %d: summarise entry %d of the site log in a paragraph.", p, i))
			total += fleet.Tokens(prompts[p][i], answer)
		}
	}
	tpm := total * 60 / 75 // the allowance, then 15 s at the limit's rate
	for _, mode := range []struct {
		name, redis string
		learn       bool
	}{{"shared", srv.URL(), false}, {"alone", "", false}, {"learning", "", true}} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				run, err := fleet.Measure(b.Context(), fleet.Config{Workbook: bin, Dir: b.TempDir(), Processes: procs,
					Prompts: prompts, Answer: answer, RPM: 60_000, TPM: tpm, TTFT: 100 * time.Millisecond, Redis: mode.redis,
					Learn: mode.learn})
				if err != nil {
					b.Fatal(err)
				}
				allowed := float64(tpm) + float64(tpm)*(run.LastSent-run.FirstSent).Minutes()
				b.ReportMetric(100*run.Efficiency(), "%best")
				b.ReportMetric(float64(run.RateLimited), "429s")
				b.ReportMetric(float64(run.Tokens)/allowed, "admitted/allowed")
				b.Logf("%s: %d tokens at %d TPM, last request sent %v after the first (best %v), %d 429s",
					mode.name, run.Tokens, tpm, (run.LastSent - run.FirstSent).Round(time.Millisecond),
					run.Best.Round(time.Millisecond), run.RateLimited)
			}
		})
	}
}
