package mock_test

import (
	"context"
	"fmt"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// A go-openai client talking to the mock in memory: no network, no key, usage from the real tokenizer.
func Example() {
	s := mock.New(mock.Config{})
	client := openai.NewClientWithConfig(s.ClientConfig())

	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:     openai.GPT4oMini,
		Messages:  []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "hello world"}},
		MaxTokens: 5,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Choices[0].FinishReason, resp.Usage.PromptTokens, resp.Usage.CompletionTokens)
	fmt.Println(s.Stats().Requests, "request")
	// Output:
	// length 9 5
	// 1 request
}
