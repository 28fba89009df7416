package streaming_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/streaming"
)

func ExampleRecords() {
	log := "08:00 crane lift\r\nload 4.2 t\r\n\r\n\r\n09:30 pour started\n\n10:00 rain"
	for rec, err := range streaming.Records(strings.NewReader(log)) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("%q\n", rec)
	}
	// Output:
	// "08:00 crane lift\nload 4.2 t"
	// "09:30 pour started"
	// "10:00 rain"
}

func ExampleChunks() {
	enc, err := tokens.For("gpt-4o")
	if err != nil {
		panic(err)
	}
	chunks, err := streaming.Chunks(enc, "The crane lifted four tonnes of rebar to level seven.", 5, 2)
	if err != nil {
		panic(err)
	}
	for _, c := range chunks {
		fmt.Printf("[%d,%d) %q\n", c.Start, c.End, c.Text)
	}
	_, err = streaming.Chunks(enc, "text", 4, 4)
	fmt.Println(err)
	// Output:
	// [0,5) "The crane lifted four tonnes"
	// [3,8) " four tonnes of rebar"
	// [6,11) " rebar to level seven"
	// [9,12) " level seven."
	// chunks: overlap is 4; it must be at least 0 and less than maxTokens (4), or the window would never move forward
}

func ExamplePipeline() {
	in := streaming.Records(strings.NewReader("a\n\nbb\n\nccc\n\ndddd\n"))
	length := func(_ context.Context, rec string) (int, error) { return len(rec), nil }
	err := streaming.Pipeline(context.Background(), 2, in, length, func(n int) error {
		fmt.Println(n) // in input order, whichever worker finished first
		return nil
	})
	fmt.Println("error:", err)
	// Output:
	// 1
	// 2
	// 3
	// 4
	// error: <nil>
}

func ExampleStreamChat() {
	srv := mock.New(mock.Config{}) // in memory, no latency
	client := openai.NewClientWithConfig(srv.ClientConfig())
	req := openai.ChatCompletionRequest{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleUser, Content: "Status of the pour at grid C4?"}}}
	var shown strings.Builder // a terminal or an http.ResponseWriter in real life
	res, err := streaming.StreamChat(context.Background(), client, req, &shown)
	if err != nil {
		panic(err)
	}
	fmt.Println("shown as it arrived:", shown.String() == res.Text)
	fmt.Println("completion tokens:", res.Usage.CompletionTokens == tokens.Count(req.Model, res.Text))
	fmt.Println("first token before the end:", res.TTFT <= res.Total)
	// Output:
	// shown as it arrived: true
	// completion tokens: true
	// first token before the end: true
}
