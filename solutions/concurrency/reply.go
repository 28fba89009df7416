package concurrency

// ProviderLimits is what a reply says about the provider's limits, per minute: each limit, and what remained of
// it when the provider admitted (or refused) the request. A value < 0 was not said.
type ProviderLimits struct {
	Requests, Tokens                   float64 // x-ratelimit-limit-requests, -tokens
	RemainingRequests, RemainingTokens float64 // x-ratelimit-remaining-requests, -tokens
}

// Limits reads what r says about the provider's limits: its x-ratelimit-limit-* and -remaining-* headers, or, for
// a 429 without them, its message ("… (TPM): Limit 30000, Used 29500, Requested 1200"). Limiter.Done reads the
// same; a limiter kept elsewhere (solutions/scale's, in Redis) uses this to stay in step with the provider too.
func (r Reply) Limits() ProviderLimits {
	p := readLimits(r.Header)
	if r.Status == 429 && !p.any() {
		p = limitsFromMessage(r.Message, r.Type)
	}
	return ProviderLimits{Requests: p.limit[reqs], Tokens: p.limit[toks],
		RemainingRequests: p.remaining[reqs], RemainingTokens: p.remaining[toks]}
}

// Charged reports whether the provider counted the request's tokens: it succeeded, or no reply came (it may
// have been counted). A refused request (a 429, a 4xx, a 5xx) is not charged.
func (r Reply) Charged() bool {
	return r.Status == 0 || (r.Status >= 200 && r.Status < 300)
}
