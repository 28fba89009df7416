package mock

import (
	"hash/maphash"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/llmperf/workbook/kit/tokens"
)

// Prompt caching as OpenAI reports it: prefixes of at least cacheMin tokens, in steps of cacheStep.
const (
	cacheMin  = 1024
	cacheStep = 128
)

// countCache remembers the token ids of recent texts, so repeated prompts are not tokenized again. Its memory
// is bounded in bytes, whatever the traffic: an entry costs 4 bytes a token plus entryOverhead, the text itself
// is not kept (a 128-bit hash of it is), a text whose ids would cost more than a quarter of the budget is
// never kept, and the least recently used entries go first. The zero countCache remembers nothing.
type countCache struct {
	mu          sync.Mutex
	c           *simplelru.LRU[textKey, []uint32]
	used, limit int64 // bytes
	seeds       [2]maphash.Seed
}

// textKey identifies a text by its encoding, length and two independent 64-bit hashes.
type textKey struct {
	encoding string // one of the few encoding names: shared, not copied
	n        int
	h        [2]uint64
}

// entryOverhead is what an entry costs besides its ids: the key, the list element and the map slot.
const entryOverhead = 160

func (c *countCache) init(limit int64) {
	c.limit = limit
	c.seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	c.c, _ = simplelru.NewLRU(int(max(limit/entryOverhead, 1)), func(_ textKey, ids []uint32) {
		c.used -= cost(ids)
	})
}

func cost(ids []uint32) int64 { return entryOverhead + 4*int64(cap(ids)) }

// ids returns the token ids of text in enc. The caller must not change them.
func (c *countCache) ids(enc *tokens.Encoder, text string) []uint32 {
	if text == "" {
		return nil
	}
	var k textKey
	if c.c != nil {
		k = textKey{enc.Name(), len(text), [2]uint64{maphash.String(c.seeds[0], text), maphash.String(c.seeds[1], text)}}
		c.mu.Lock()
		ids, ok := c.c.Get(k)
		c.mu.Unlock()
		if ok {
			return ids
		}
	}
	wide := enc.Encode(text)
	ids := make([]uint32, len(wide))
	for i, id := range wide {
		ids[i] = uint32(id)
	}
	if c.c == nil || cost(ids) > c.limit/4 {
		return ids
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.c.Contains(k) { // another request tokenized it meanwhile
		return ids
	}
	c.c.Add(k, ids)
	c.used += cost(ids)
	for c.used > c.limit {
		c.c.RemoveOldest()
	}
	return ids
}

// bytes is the memory the cache's entries take, as it accounts for them.
func (c *countCache) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// prefixCache remembers hashes of prompt prefixes per model: a fixed number of fixed-size entries (the model is
// kept as a hash too), least recently used first out.
type prefixCache struct {
	c *lru.Cache[prefixKey, struct{}]
}

type prefixKey struct{ model, hash uint64 }

func (p *prefixCache) init(size int) { p.c, _ = lru.New[prefixKey, struct{}](size) }

// Markers stand for the formatting tokens around messages in the prefix hash: tokens.PerMessage of them per
// message (start, separator, end), tokens.PerName for a name, tokens.ReplyPriming at the end.
const (
	markStart = -1 - iota
	markSep
	markName
	markEnd
	markReply
)

// promptUsage counts the prompt tokens of req as tokens.CountChat does, and the cached tokens: the longest
// prefix of at least cacheMin tokens (in steps of cacheStep) that an earlier prompt to the same model had.
//
// One pass over the prompt's token sequence, formatting tokens included as markers, counts it and hashes it,
// taking a checkpoint at 1024, 1152, … tokens; the checkpoints are then looked up in, and added to, the memory.
// Each text is tokenized once. At most GOMAXPROCS requests tokenize at once: it is CPU-bound work, and its
// garbage is several times the text, so more at once would only cost memory.
func (s *Server) promptUsage(enc *tokens.Encoder, req *chatRequest) (prompt, cached int) {
	s.tokenizing <- struct{}{}
	defer func() { <-s.tokenizing }()
	var checkpoints []uint64
	h := uint64(newHash())
	add := func(id int) {
		h = (h ^ uint64(int64(id))) * 1099511628211
		prompt++
		if prompt >= cacheMin && (prompt-cacheMin)%cacheStep == 0 {
			checkpoints = append(checkpoints, mix(h))
		}
	}
	addAll := func(text string) {
		for _, id := range s.counts.ids(enc, text) {
			add(int(id))
		}
	}
	for _, m := range req.Messages {
		add(markStart) // the tokens.PerMessage formatting tokens: start, separator, end
		addAll(m.Role)
		add(markSep)
		if m.Name != "" {
			add(markName) // tokens.PerName
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
	if prompt < cacheMin {
		return prompt, 0
	}
	mh := newHash()
	mh.str(req.Model)
	model := mh.sum()
	for i := len(checkpoints) - 1; i >= 0; i-- {
		if s.prefixes.c.Contains(prefixKey{model, checkpoints[i]}) {
			cached = cacheMin + i*cacheStep
			break
		}
	}
	for _, c := range checkpoints {
		s.prefixes.c.Add(prefixKey{model, c}, struct{}{})
	}
	return prompt, cached
}
