package pulse

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/llmperf/workbook/lessons/data"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/streaming"
)

// siteLog is a small generated log.
func siteLog(t testing.TB, size int64) []byte {
	t.Helper()
	b, err := io.ReadAll(data.SiteLog(size, 3))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runCollect runs mode and returns its result and its unit summaries in order.
func runCollect(t *testing.T, mode string, up Upstream, log []byte, opt Options) (Result, []string) {
	t.Helper()
	var got []string
	opt.OnSummary = func(i int, s string) {
		if i != len(got) {
			t.Errorf("%s: summary %d arrived as number %d", mode, i, len(got))
		}
		got = append(got, s)
	}
	res, err := Run(context.Background(), mode, up, bytes.NewReader(log), opt)
	if err != nil {
		t.Fatalf("%s: %v", mode, err)
	}
	return res, got
}

func TestModesGiveTheSameSummaries(t *testing.T) {
	log := siteLog(t, 24<<10)
	records := 0
	for _, err := range streaming.Records(bytes.NewReader(log)) {
		if err != nil {
			t.Fatal(err)
		}
		records++
	}
	for _, tc := range []struct {
		name string
		up   func() Upstream
		opt  Options
	}{
		{"mock per record", func() Upstream { return NewMock(mock.Config{}) }, Options{}},
		{"mock batch 3 group 4", func() Upstream { return NewMock(mock.Config{}) }, Options{Batch: 3, Group: 4, Workers: 3}},
		{"instant per record", NewInstant, Options{Workers: 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, naiveSums := runCollect(t, ModeNaive, tc.up(), log, tc.opt)
			o, optSums := runCollect(t, ModeOptimized, tc.up(), log, tc.opt)
			if !slices.Equal(naiveSums, optSums) {
				t.Fatalf("the modes' summaries differ:\nnaive     %d %q…\noptimized %d %q…", len(naiveSums),
					naiveSums[:2], len(optSums), optSums[:2])
			}
			if n.Digest != o.Digest || n.Final != o.Final || n.Final == "" {
				t.Errorf("digest %s vs %s, final %q vs %q", n.Digest, o.Digest, n.Final, o.Final)
			}
			batch := max(tc.opt.Batch, 1)
			for _, r := range []Result{n, o} {
				if r.Records != records || r.Units != (records+batch-1)/batch || r.Bytes != int64(len(log)) {
					t.Errorf("%s: %d records in %d units over %d bytes; want %d records, %d bytes", r.Mode,
						r.Records, r.Units, r.Bytes, records, len(log))
				}
			}
		})
	}
}
