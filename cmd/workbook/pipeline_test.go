package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/solutions/streaming"
)

func TestPipelineModesAgree(t *testing.T) {
	const size = 2 << 20
	want := int64(0)
	for _, err := range streaming.Records(data.SiteLog(size, 3)) {
		if err != nil {
			t.Fatal(err)
		}
		want++
	}
	for _, mode := range []string{"bounded", "slice", "gather"} {
		rep, err := measurePipeline(context.Background(), mode, data.SiteLog(size, 3), size, 4)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if rep.Records != want || rep.PeakRSS <= 0 || rep.Seconds <= 0 {
			t.Errorf("%s: %d records (want %d), peak RSS %d, %.3fs", mode, rep.Records, want, rep.PeakRSS,
				rep.Seconds)
		}
	}
}

// TestPipelineCallsNoProvider: with a real provider configured, the pipeline still spends nothing: it never
// sends a request, so it has no cost to estimate and no budget to check.
func TestPipelineCallsNoProvider(t *testing.T) {
	var requests atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "no", http.StatusTeapot)
	}))
	defer hs.Close()
	const key = "sk-test-pipeline-DO-NOT-PRINT"
	t.Setenv("OPENAI_API_KEY", key)
	t.Setenv("OPENAI_BASE_URL", hs.URL+"/v1")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"pipeline", "-size", "256KiB", "-workers", "2"}, &out,
		&errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the pipeline sent %d requests to the configured provider", n)
	}
	if s := out.String() + errOut.String(); strings.Contains(s, key) || !strings.Contains(s, "provider    none") {
		t.Errorf("output:\n%s", s)
	}
}

func TestPipelineCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"pipeline", "-size", "1MiB", "-workers", "2", "-json"}, &out,
		&errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep pipelineReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if rep.Bytes != 1<<20 || rep.Workers != 2 || rep.Mode != "bounded" || rep.Records == 0 {
		t.Errorf("report %+v", rep)
	}

	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"pipeline", "-size", "lots"}, `-size "lots"`},
		{[]string{"pipeline", "-workers", "0"}, "-workers must be at least 1"},
		{[]string{"pipeline", "-mode", "gather", "-size", "1GiB"}, "add -force"},
		{[]string{"pipeline", "-mode", "fast", "-size", "1KiB"}, `-mode is "fast"`},
		{[]string{"pipeline", "extra"}, "pipeline takes no arguments"},
	} {
		out.Reset()
		errOut.Reset()
		if code := run(context.Background(), c.args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, errOut.String(), c.msg)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1GiB": 1 << 30, "256MiB": 256 << 20, "64KB": 64000, "1000": 1000,
		"1.5KiB": 1536, "3 MB": 3e6, "7B": 7} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1MiB", "2TiB", "99999GB", "NaN", "NaNMiB", "Inf", "+InfGiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
}
