package prices

// Price is what a model costs, in dollars per one million tokens.
type Price struct {
	Model       string
	Input       Money // per 1M uncached prompt tokens
	CachedInput Money // per 1M prompt tokens served from the provider's prompt cache
	Output      Money // per 1M completion tokens (reasoning tokens included)
	Source      string
}

const perMillion = 1_000_000

// Cost is what one call costs. promptTokens counts all prompt tokens, cached ones included, as the OpenAI usage
// object does (usage.prompt_tokens ⊇ usage.prompt_tokens_details.cached_tokens); cachedTokens of them are billed
// at CachedInput and the rest at Input. Negative counts are taken as zero and cachedTokens is capped at
// promptTokens.
//
// The arithmetic is integer only. Each of the three parts is price × tokens / 1,000,000 rounded to the nearest
// nano-dollar (halves round up), computed without overflow for up to 9 × 10¹² tokens per part; the three parts are summed.
// For every current price the per-token price is a whole number of nano-dollars, so no rounding happens at all.
func (p Price) Cost(promptTokens, cachedTokens, completionTokens int) Money {
	promptTokens = max(promptTokens, 0)
	cachedTokens = min(max(cachedTokens, 0), promptTokens)
	completionTokens = max(completionTokens, 0)
	return part(p.Input, promptTokens-cachedTokens) + part(p.CachedInput, cachedTokens) +
		part(p.Output, completionTokens)
}

// part is perMillionPrice × tokens / 1e6, rounded half up, split so the products stay far from overflow.
func part(perMillionPrice Money, tokens int) Money {
	n := Money(tokens)
	whole, rest := perMillionPrice/perMillion, perMillionPrice%perMillion
	return whole*n + (rest*n+perMillion/2)/perMillion
}
