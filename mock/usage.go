package mock

import (
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/llmperf/workbook/kit/tokens"
)

// Prompt caching as OpenAI reports it: prefixes of at least cacheMin tokens, in steps of cacheStep.
const (
	cacheMin  = 1024
	cacheStep = 128
)

// countCache remembers the token ids of recent texts, so repeated prompts are not tokenized again.
type countCache struct{ c *lru.Cache[textKey, []int] }

type textKey struct{ encoding, text string }

func (c *countCache) init(size int) { c.c, _ = lru.New[textKey, []int](size) }

// ids returns the token ids of text in enc.
func (c *countCache) ids(enc *tokens.Encoder, text string) []int {
	if text == "" {
		return nil
	}
	k := textKey{enc.Name(), text}
	if ids, ok := c.c.Get(k); ok {
		return ids
	}
	ids := enc.Encode(text)
	c.c.Add(k, ids)
	return ids
}

// prefixCache remembers hashes of prompt prefixes per model: a bounded memory, least recently used first out.
type prefixCache struct {
	c *lru.Cache[prefixKey, struct{}]
}

type prefixKey struct {
	model string
	hash  uint64
}

func (p *prefixCache) init(size int) { p.c, _ = lru.New[prefixKey, struct{}](size) }

// Markers stand for the formatting tokens around messages in the prefix hash.
const (
	markStart = -1 - iota
	markSep
	markName
	markEnd
	markReply
)

// promptUsage counts the prompt tokens of req as tokens.CountChat does, and the cached tokens: the longest
// prefix of at least cacheMin tokens (in steps of cacheStep) that an earlier prompt to the same model had.
func (s *Server) promptUsage(enc *tokens.Encoder, req *chatRequest) (prompt, cached int) {
	prompt = tokens.ReplyPriming
	for _, m := range req.Messages {
		prompt += tokens.PerMessage + len(s.counts.ids(enc, m.Role)) + len(s.counts.ids(enc, m.Content.Text))
		for _, p := range m.Content.Parts {
			prompt += len(s.counts.ids(enc, p))
		}
		if m.Name != "" {
			prompt += tokens.PerName + len(s.counts.ids(enc, m.Name))
		}
		for _, tc := range m.ToolCalls {
			prompt += len(s.counts.ids(enc, tc.Function.Name)) + len(s.counts.ids(enc, tc.Function.Arguments))
		}
	}
	if prompt < cacheMin {
		return prompt, 0
	}
	return prompt, s.cachedPrefix(enc, req)
}

// cachedPrefix walks the prompt's token sequence, hashing it as it goes, and checks each checkpoint (1024,
// 1152, …) against the memory; it then remembers this prompt's checkpoints.
func (s *Server) cachedPrefix(enc *tokens.Encoder, req *chatRequest) int {
	var checkpoints []uint64
	h, pos := uint64(newHash()), 0
	add := func(id int) {
		h = (h ^ uint64(int64(id))) * 1099511628211
		pos++
		if pos >= cacheMin && (pos-cacheMin)%cacheStep == 0 {
			checkpoints = append(checkpoints, mix(h))
		}
	}
	addAll := func(text string) {
		for _, id := range s.counts.ids(enc, text) {
			add(id)
		}
	}
	for _, m := range req.Messages {
		add(markStart)
		addAll(m.Role)
		add(markSep)
		if m.Name != "" {
			add(markName)
			addAll(m.Name)
		}
		addAll(m.Content.Text)
		for _, p := range m.Content.Parts {
			addAll(p)
		}
		for _, tc := range m.ToolCalls {
			addAll(tc.Function.Name)
			addAll(tc.Function.Arguments)
		}
		add(markEnd)
	}
	for range tokens.ReplyPriming {
		add(markReply)
	}
	cached := 0
	for i := len(checkpoints) - 1; i >= 0; i-- {
		if s.prefixes.c.Contains(prefixKey{req.Model, checkpoints[i]}) {
			cached = cacheMin + i*cacheStep
			break
		}
	}
	for _, c := range checkpoints {
		s.prefixes.c.Add(prefixKey{req.Model, c}, struct{}{})
	}
	return cached
}
