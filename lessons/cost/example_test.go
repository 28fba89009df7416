package cost_test

import (
	"fmt"

	"github.com/llmperf/workbook/lessons/cost"
)

func ExamplePrompt_Messages() {
	p := cost.Prompt{
		System:   "Classify site diary lines.",
		Examples: []cost.Example{{Input: "Crane stopped: wind.", Output: "DELAY"}},
		Context:  []string{"Wind limit for the crane: 45 km/h."},
		Question: "Scaffold untagged on the east face.",
	}
	for _, m := range p.Messages() {
		fmt.Printf("%-9s %q\n", m.Role, m.Content)
	}
	fmt.Println("prompt tokens:", p.Tokens("gpt-4o-mini"))
	// Output:
	// system    "Classify site diary lines."
	// user      "Crane stopped: wind."
	// assistant "DELAY"
	// user      "Wind limit for the crane: 45 km/h.\n\nScaffold untagged on the east face."
	// prompt tokens: 54
}
