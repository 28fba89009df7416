// Package mock is an OpenAI-compatible LLM server for tests, benchmarks and notebooks: realistic latency, rate
// limits and failures, deterministic answers, and token usage counted with the models' real tokenizers — with
// no network and no API key.
//
// The idea: a lesson about a slow, costly and fragile dependency needs that dependency to be slow, costly and
// fragile on purpose, in a way a test can reproduce. A Server is an http.Handler serving
//
//	POST /v1/chat/completions   plain, or server-sent events with "stream": true
//	POST /v1/embeddings         string or []string input, "dimensions", float or base64 encoding
//	GET  /v1/models             the models it knows (o200k_base and cl100k_base families)
//	GET  /mock/stats            its counters as JSON (POST /mock/reset clears them)
//
// Run it three ways: in memory with [Server.Transport] or [Server.ClientConfig] (works inside testing/synctest
// bubbles, so a 10 s latency costs no real time), on loopback with net/http or httptest, or standalone with
// `go run ./cmd/workbook mock -addr 127.0.0.1:8080`.
//
// # Answers
//
// The answer is English-like filler text drawn from a hash of the model, the messages and the request's seed:
// the same request always gets the same answer, a different one a different answer. Every word of the
// vocabulary is a single token of the model's encoding (checked when the vocabulary is built), so the answer's
// length in tokens is exact and usage.completion_tokens equals the real tokenizer's count of the text.
//
// Answer length model: unless [Config.AnswerTokens] fixes it, an answer is 20 to 99 tokens long, uniformly
// spread by the hash. max_completion_tokens (or the older max_tokens) cuts it short with finish_reason
// "length"; otherwise finish_reason is "stop". With n > 1 each choice is a different answer.
//
// Graded tasks (kit/data's NewTask: a task kind's instruction as the system message, a site log as the user
// message) get a real answer instead, right or plausibly wrong: the chance of a right answer is [Accuracy] of the
// model's tier, the task's kind and the prompt's length, and [Catchable] of the wrong ones have the wrong form.
// The draw is from the same hash, so it is as deterministic as the rest. The README documents the curves.
//
// # Usage and prompt caching
//
// usage.prompt_tokens is tokens.CountChat of the messages (kit/tokens, the model's real encoding).
// Like OpenAI's automatic prompt caching, a prompt whose first 1,024 or more tokens were already seen (same
// model, in this server's bounded memory of recent prefixes) reports prompt_tokens_details.cached_tokens: the
// longest repeated prefix, counted in steps of 128 tokens from 1,024. The first request with a prefix is a miss.
//
// # Latency
//
// A reply's first token comes [Config.TTFT] after the request arrives and every further token [Config.InterToken]
// after the previous one; a non-streaming reply arrives whole at the time its last token would have. With
// [Config.Jitter] j each request's two delays are scaled by a factor drawn uniformly from [1-j, 1+j]; with
// probability [Config.TailRate] the first token is [Config.TailDelay] later still. Deadlines are absolute (token k
// is due at TTFT + k·InterToken), so timer overshoot does not accumulate. Every wait uses timers and ends when
// the request's context does, so virtual time in testing/synctest works and no goroutine outlives its request.
//
// # Rate limits and faults
//
// [Config.RPM] and [Config.TPM] are token buckets per model family that refill continuously, as OpenAI's limits
// do: a dated snapshot ("gpt-4o-2024-08-06") shares its family's buckets. Only the family's own id, FAMILY-YYYY-MM-DD
// with a real date from 2023 on, and the older FAMILY-MMDD of gpt-4 and gpt-3.5-turbo are accepted; any other name
// is 404 model_not_found on every endpoint. A request is admitted by OpenAI's documented rule: its prompt tokens
// plus max_tokens (or max_completion_tokens) for each of its n choices (without a cap, the answer it will get);
// when the answer has been sent, the unused part of that charge goes back to the bucket, and usage reports the
// real tokens. [Config.StartUsed] starts every bucket partly used. Over a limit the reply is a 429 with an
// OpenAI-style body ("Limit L, Used U, Requested R") and the headers retry-after and retry-after-ms. Every response
// carries x-request-id, and every chat and embeddings response the six x-ratelimit-{limit,remaining,reset}-
// {requests,tokens} headers, whatever limits are set: a limit that is not set reports 1,000,000,000.
// Faults are drawn per request from [Config.Seed] and the request's sequence number, so a sequential test sees
// the same faults in the same places on every run.
//
// # Counters
//
// [Server.Stats] (and GET /mock/stats) counts requests by endpoint, by status and by the model asked for. A
// request whose client went away before any reply (a timeout during a slow first byte, say) counts as
// [StatusClientClosed], 499.
//
// # Bounded memory and time
//
// What the server keeps is bounded by its configuration, not by its traffic: the token ids of recent texts
// ([Config.TokenCacheBytes], in bytes; the texts themselves are not kept), a fixed number of fixed-size prompt
// prefix hashes, at most [MaxModelNames] model names in the counters. A request holds its body (at most
// [Config.MaxBodyBytes]) while it is read and its token ids while it waits out its latency; at most
// GOMAXPROCS requests tokenize at once, and at most [Config.MaxConcurrent] are served at once — one more gets a
// 503 (code "overloaded"). Embedding replies are written as they are made, so a reply of tens of MB takes no
// more memory than one vector. On a real connection ([Server.HTTPServer]) a client has [Config.ReadTimeout]
// to send its request, a reply has [Config.LongestReply] plus margins to be written, and an idle connection
// is closed after [Config.IdleTimeout].
package mock
