// Package llm gives the course one way to get a go-openai client: the in-process mock unless a real provider is
// configured.
//
// The idea: the same code talks to a fake and to a real API. New reads the environment:
//
//	OPENAI_API_KEY   unset: the in-process mock (package mock) with DefaultMockConfig; set: the real API
//	OPENAI_BASE_URL  optional, for an OpenAI-compatible provider (a proxy, Azure-style gateway, local server)
//	OPENAI_MODEL     optional, the model to use (default DefaultModel)
//	LLMPERF_BUDGET   optional, dollars one process may spend on a real provider (default DefaultBudget, $0.05)
//
// A Client says which provider it uses (String) and never shows the key: not in String, not in the errors this
// package returns, not in the errors and response bodies of go-openai calls made on it directly (its HTTP
// client scrubs them), also when the provider quotes the key back. The key and the credentials in
// OPENAI_BASE_URL are registered with kit/redact when a program that links this package starts, so whatever
// else it shows through kit/redact is scrubbed of them too. Chat and Stream make one call each; ChatTracked and StreamTracked also record it, with
// latency, time to first token, tokens and cost, in a metrics.Tracker.
//
// Real calls cost money, so they pass a budget. Before a batch of calls, Check prints their estimated cost
// (tokens counted with kit/tokens, priced with kit/prices) and refuses when the process would pass its budget;
// the refusal says how to raise it. Every client of a real provider built from Settings (NewWith, Config) also
// passes each chat or embeddings request through a guard that refuses it once the process's estimated spending
// would pass the budget, whichever code path sends it. The mock is free and never checked.
package llm
