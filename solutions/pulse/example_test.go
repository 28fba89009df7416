package pulse_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/pulse"
)

func ExampleReducer() {
	r := pulse.Reducer{Group: 3, Summarize: func(_ context.Context, items []string) (string, error) {
		return "(" + strings.Join(items, "+") + ")", nil
	}}
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		r.Add(context.Background(), s)
	}
	fmt.Println(r.Final(context.Background()))
	// Output: ((a+b+c)+(d+e)) <nil>
}

func ExampleRun() {
	log := func() *strings.Reader {
		var b strings.Builder
		for range 3 { // the same day's log, shipped three times
			day, _ := io.ReadAll(data.SiteLog(8<<10, 3))
			b.Write(day)
		}
		return strings.NewReader(b.String())
	}
	naive, _ := pulse.Run(context.Background(), pulse.ModeNaive, pulse.NewMock(mock.Config{}), log(), pulse.Options{})
	opt, _ := pulse.Run(context.Background(), pulse.ModeOptimized, pulse.NewMock(mock.Config{}), log(), pulse.Options{})
	fmt.Println("records:", naive.Records, opt.Records)
	fmt.Println("same summaries:", naive.Digest == opt.Digest)
	fmt.Println("model requests:", naive.Requests, opt.Requests)
	// Output:
	// records: 123 123
	// same summaries: true
	// model requests: 132 49
}
