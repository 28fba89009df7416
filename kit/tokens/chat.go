package tokens

import (
	openai "github.com/sashabaranov/go-openai"
)

// Chat formatting overhead, as OpenAI documents it for its chat models: each message is wrapped in a few
// special tokens, a name costs one more, and every reply is primed with three tokens.
const (
	PerMessage   = 3 // tokens around every message
	PerName      = 1 // extra tokens when a message has a name
	ReplyPriming = 3 // tokens that start the assistant's reply
)

// CountChat is the number of prompt tokens model is billed for msgs: for each message its role, content and
// name, plus PerMessage (and PerName when named); plus ReplyPriming once. The text parts of multi-part content
// count; images and audio do not (they are priced separately). A tool call counts its function name and
// arguments. This matches usage.prompt_tokens of the API for plain text chats.
func CountChat(model string, msgs []openai.ChatCompletionMessage) int {
	e, err := For(model)
	if err != nil {
		panic(err)
	}
	return e.CountChat(msgs)
}

// CountChat is CountChat with this encoder.
func (e *Encoder) CountChat(msgs []openai.ChatCompletionMessage) int {
	n := ReplyPriming
	for _, m := range msgs {
		n += PerMessage + e.Count(m.Role) + e.Count(m.Content)
		for _, p := range m.MultiContent {
			if p.Type == openai.ChatMessagePartTypeText {
				n += e.Count(p.Text)
			}
		}
		if m.Name != "" {
			n += PerName + e.Count(m.Name)
		}
		for _, tc := range m.ToolCalls {
			n += e.Count(tc.Function.Name) + e.Count(tc.Function.Arguments)
		}
	}
	return n
}
