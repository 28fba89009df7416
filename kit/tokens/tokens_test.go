package tokens_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/llmperf/workbook/kit/tokens"
	openai "github.com/sashabaranov/go-openai"
)

func TestEncodingName(t *testing.T) {
	tests := []struct{ model, want string }{
		{"gpt-4o", tokens.O200kBase},
		{"gpt-4o-mini", tokens.O200kBase},
		{"gpt-4o-2024-08-06", tokens.O200kBase},
		{"gpt-4.1-nano", tokens.O200kBase},
		{"o1", tokens.O200kBase},
		{"o3-mini", tokens.O200kBase},
		{"o4-mini", tokens.O200kBase},
		{"gpt-5", tokens.O200kBase},
		{"GPT-5-mini", tokens.O200kBase},
		{"openai/gpt-4o", tokens.O200kBase},
		{"gpt-4", tokens.Cl100kBase},
		{"gpt-4-turbo", tokens.Cl100kBase},
		{"gpt-4-0613", tokens.Cl100kBase},
		{"gpt-3.5-turbo", tokens.Cl100kBase},
		{"text-embedding-3-small", tokens.Cl100kBase},
		{"some-future-model", tokens.O200kBase},
		{"", tokens.O200kBase},
	}
	for _, tt := range tests {
		if got := tokens.EncodingName(tt.model); got != tt.want {
			t.Errorf("EncodingName(%q) = %q, want %q", tt.model, got, tt.want)
		}
	}
}

// Reference ids computed with OpenAI's Python tiktoken (the cl100k one is also the test vector of tiktoken-go).
func TestEncodeKnownIDs(t *testing.T) {
	tests := []struct {
		encoding, text string
		want           []int
	}{
		{tokens.Cl100kBase, "hello world", []int{15339, 1917}},
		{tokens.Cl100kBase, "hello world!你好，世界！", []int{15339, 1917, 0, 57668, 53901, 3922, 3574, 244, 98220, 6447}},
		{tokens.O200kBase, "hello world", []int{24912, 2375}},
		{tokens.Cl100kBase, "", nil},
		{tokens.O200kBase, "", nil},
	}
	for _, tt := range tests {
		e, err := tokens.ForEncoding(tt.encoding)
		if err != nil {
			t.Fatal(err)
		}
		got := e.Encode(tt.text)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s Encode(%q) = %v, want %v", tt.encoding, tt.text, got, tt.want)
		}
		if back := e.Decode(got); back != tt.text {
			t.Errorf("%s Decode(Encode(%q)) = %q", tt.encoding, tt.text, back)
		}
		if n := e.Count(tt.text); n != len(tt.want) {
			t.Errorf("%s Count(%q) = %d, want %d", tt.encoding, tt.text, n, len(tt.want))
		}
	}
}

func TestSpecialTokensAreText(t *testing.T) {
	e, err := tokens.For("gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	const s = "a <|endoftext|> b"
	if got := e.Decode(e.Encode(s)); got != s {
		t.Fatalf("round trip of %q gave %q", s, got)
	}
	if n := e.Count(s); n < 5 {
		t.Fatalf("Count(%q) = %d: the marker should be encoded as several ordinary tokens", s, n)
	}
}

func TestRoundTrip(t *testing.T) {
	texts := []string{
		"The quick brown fox jumps over the lazy dog.",
		"func main() {\n\tfmt.Println(\"hi\")\n}\n",
		"Prix: 12,50 € — naïve café, 東京, emoji 🚀",
		"   leading and trailing spaces   ",
	}
	for _, name := range []string{tokens.O200kBase, tokens.Cl100kBase} {
		e, err := tokens.ForEncoding(name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() != name {
			t.Errorf("Name() = %q, want %q", e.Name(), name)
		}
		for _, s := range texts {
			ids := e.Encode(s)
			if got := e.Decode(ids); got != s {
				t.Errorf("%s: round trip of %q gave %q", name, s, got)
			}
			if len(ids) == 0 || len(ids) > len(s) {
				t.Errorf("%s: %q has %d tokens for %d bytes", name, s, len(ids), len(s))
			}
		}
	}
}

func TestEncodingsDiffer(t *testing.T) {
	// Non-English text is where the newer encoding saves the most.
	const s = "Привет, как дела? Это проверка токенизатора на русском языке."
	o, c := tokens.Count("gpt-4o", s), tokens.Count("gpt-4", s)
	if o >= c {
		t.Fatalf("o200k_base %d tokens, cl100k_base %d: expected fewer with o200k_base", o, c)
	}
}

func TestUnknownEncoding(t *testing.T) {
	if _, err := tokens.ForEncoding("p99k_base"); err == nil {
		t.Fatal("ForEncoding(unknown) gave no error")
	}
}

func TestCountChat(t *testing.T) {
	// Each case's want is built from the documented rule: 3 per message + role + content (+1 + name) … + 3.
	hw := tokens.Count("gpt-4o", "hello world") // 2
	user := tokens.Count("gpt-4o", "user")      // 1
	sys := tokens.Count("gpt-4o", "system")     // 1
	tests := []struct {
		name string
		msgs []openai.ChatCompletionMessage
		want int
	}{
		{"empty", nil, 3},
		{"one user message", []openai.ChatCompletionMessage{{Role: "user", Content: "hello world"}}, 3 + user + hw + 3},
		{"system and user", []openai.ChatCompletionMessage{
			{Role: "system", Content: "hello world"},
			{Role: "user", Content: "hello world"},
		}, 3 + sys + hw + 3 + user + hw + 3},
		{"named", []openai.ChatCompletionMessage{{Role: "user", Name: "ann", Content: "hello world"}},
			3 + user + hw + 1 + tokens.Count("gpt-4o", "ann") + 3},
		{"multi-part text", []openai.ChatCompletionMessage{{Role: "user", MultiContent: []openai.ChatMessagePart{
			{Type: openai.ChatMessagePartTypeText, Text: "hello world"},
			{Type: openai.ChatMessagePartTypeImageURL, ImageURL: &openai.ChatMessageImageURL{URL: "https://x/y.png"}},
		}}}, 3 + user + hw + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokens.CountChat("gpt-4o", tt.msgs); got != tt.want {
				t.Errorf("CountChat = %d, want %d", got, tt.want)
			}
		})
	}
	if hw != 2 || user != 1 || sys != 1 {
		t.Errorf("reference counts changed: hello world %d, user %d, system %d; want 2, 1, 1", hw, user, sys)
	}
	// Known total: a single "hello world" user message is 9 prompt tokens.
	if got := tokens.CountChat("gpt-4o", []openai.ChatCompletionMessage{{Role: "user", Content: "hello world"}}); got != 9 {
		t.Errorf("CountChat(hello world) = %d, want 9", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	const s = "Concurrent counting must give the same answer every time."
	want := tokens.Count("gpt-4o", s)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			model := []string{"gpt-4o", "gpt-4"}[i%2]
			for range 50 {
				got := tokens.Count(model, s)
				if model == "gpt-4o" && got != want {
					t.Errorf("Count = %d, want %d", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func ExampleCount() {
	fmt.Println(tokens.Count("gpt-4o", "hello world"))
	fmt.Println(tokens.Count("gpt-4", "hello world"))
	// Output:
	// 2
	// 2
}

func ExampleCountChat() {
	msgs := []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: "You are terse."},
		{Role: openai.ChatMessageRoleUser, Content: "hello world"},
	}
	fmt.Println(tokens.CountChat("gpt-4o", msgs))
	// Output: 17
}

func ExampleEncoder_Encode() {
	e, _ := tokens.For("gpt-4")
	ids := e.Encode("hello world")
	fmt.Println(e.Name(), ids, e.Decode(ids))
	// Output: cl100k_base [15339 1917] hello world
}

var sink int

func BenchmarkCount(b *testing.B) {
	text := "Profile first, then optimise: a regexp compiled on every call is a classic hotspot. " +
		"Tokens, not characters, are what an LLM API charges for."
	for _, model := range []string{"gpt-4o", "gpt-4"} {
		e, _ := tokens.For(model)
		b.Run(e.Name(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				sink = e.Count(text)
			}
		})
	}
}
