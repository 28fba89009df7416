package llm_test

import (
	"context"
	"fmt"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/mock"
)

func ExampleNewMock() {
	c := llm.NewMock(mock.Config{}) // no latency: instant answers
	fmt.Println(c)

	var tr metrics.Tracker
	for range 3 {
		if _, err := c.ChatTracked(context.Background(), &tr, "demo", "Summarise today's site log."); err != nil {
			panic(err)
		}
	}
	s := tr.Summary()
	fmt.Println(s.Count, "calls,", s.Errors, "errors, cost > 0:", s.Cost > 0)
	// Output:
	// mock (in-process)
	// 3 calls, 0 errors, cost > 0: true
}

func ExampleNew() {
	c, err := llm.New() // the mock unless OPENAI_API_KEY is set
	if err != nil {
		panic(err)
	}
	fmt.Println("talking to", c) // never prints the key
}
