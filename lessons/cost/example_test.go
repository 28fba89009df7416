package cost_test

import (
	"fmt"

	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/data"
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

func ExampleValidateTask() {
	task := data.NewTask(data.Count, 8, 1)
	req := openai.ChatCompletionRequest{Model: "gpt-4o-mini", Messages: task.Messages()}
	for _, answer := range []string{"2", "Several records.", "3"} {
		resp := openai.ChatCompletionResponse{Choices: []openai.ChatCompletionChoice{
			{Message: openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: answer}}}}
		fmt.Printf("%-18q valid: %-5v right: %v\n", answer, cost.ValidateTask(req, resp) == nil, task.Grade(answer))
	}
	// Output:
	// "2"                valid: true  right: true
	// "Several records." valid: false right: false
	// "3"                valid: true  right: false
}
