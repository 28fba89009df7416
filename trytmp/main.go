package main

import (
	"context"
	"fmt"
	"time"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/kit/prices"
	lcost "github.com/llmperf/workbook/lessons/cost"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/cost"
	openai "github.com/sashabaranov/go-openai"
)

func main() {
	mock.Warm()
	start := time.Now()
	for _, kind := range data.TaskKinds() {
		for _, records := range []int{2, 16, 64} {
			line := fmt.Sprintf("%-8s %3d", kind, records)
			for _, models := range [][]string{{"gpt-4o-mini"}, {"gpt-4o"}, {"gpt-4o-mini", "gpt-4o"}, {"gpt-4.1-nano", "gpt-4o-mini", "gpt-4o"}} {
				srv := mock.New(mock.Config{})
				client := openai.NewClientWithConfig(srv.ClientConfig())
				r, _ := cost.NewRouter(cost.RouterConfig{Client: client, Models: models, Check: lcost.ValidateTask})
				right, esc := 0, 0
				for i := range 100 {
					t := data.NewTask(kind, records, int64(i))
					ans, _ := r.Complete(context.Background(), openai.ChatCompletionRequest{Messages: t.Messages(), MaxTokens: 100})
					if len(ans.Response.Choices) > 0 && t.Grade(ans.Response.Choices[0].Message.Content) {
						right++
					}
					if len(ans.Tried) > 1 {
						esc++
					}
				}
				line += fmt.Sprintf(" | %d: %3d%% esc %2d $%.3f", len(models), right, esc, r.Spent().Dollars()*10)
			}
			fmt.Println(line)
		}
	}
	fmt.Println(time.Since(start))
	_ = prices.Cent
}
