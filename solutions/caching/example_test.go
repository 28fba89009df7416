package caching_test

import (
	"context"
	"fmt"
	"os"

	"github.com/llmperf/workbook/lessons/caching/cachingtest"
	"github.com/llmperf/workbook/solutions/caching"
	openai "github.com/sashabaranov/go-openai"
)

func ExampleLRU() {
	c := caching.NewLRU[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Get("a")    // a is now the most recently used
	c.Put("c", 3) // evicts b
	_, okA := c.Get("a")
	_, okB := c.Get("b")
	fmt.Println(okA, okB, c.Len())
	// Output: true false 2
}

func ExampleKey() {
	seed := 1
	req := openai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Is the slab cured?"}},
		Seed:     &seed,
	}
	k1, _ := caching.Key(req)
	req.User = "site-7" // does not change the answer
	k2, _ := caching.Key(req)
	req.Model = "gpt-4o" // does
	k3, _ := caching.Key(req)
	fmt.Println(len(k1), k1 == k2, k1 == k3)
	// Output: 64 true false
}

func ExampleClient() {
	upstream := &cachingtest.FakeChat{}
	c := caching.NewClient(upstream, nil, caching.CacheDeterministic)
	seed := 1
	req := openai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Is the slab cured?"}},
		Seed:     &seed,
	}
	for range 3 {
		resp, src, err := c.Complete(context.Background(), req)
		fmt.Println(src, resp.Choices[0].Message.Content, err)
	}
	fmt.Println("upstream calls:", upstream.Calls())
	// Output:
	// miss answer 1 <nil>
	// hit answer 1 <nil>
	// hit answer 1 <nil>
	// upstream calls: 1
}

func ExampleStore() {
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)

	s, _ := caching.OpenStore(dir)
	s.Put("summary:log-7", []byte("crane 3 idle"))

	restarted, _ := caching.OpenStore(dir) // a new process would do the same
	v, ok, err := restarted.Get("summary:log-7")
	fmt.Printf("%s %v %v\n", v, ok, err)
	// Output: crane 3 idle true <nil>
}

func ExampleEmbeddings() {
	upstream := &cachingtest.FakeEmbedder{}
	e := caching.NewEmbeddings(upstream, openai.SmallEmbedding3, nil)
	ctx := context.Background()
	e.Embed(ctx, []string{"crane", "slab"})
	v, _ := e.Embed(ctx, []string{"slab", "rebar", "crane", "rebar"})
	fmt.Println(len(v), upstream.Batches())
	// Output: 4 [[crane slab] [rebar]]
}
