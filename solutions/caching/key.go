package caching

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	openai "github.com/sashabaranov/go-openai"
)

// keyVersion starts every hashed key: change it when the key's recipe changes, and old entries stop matching.
const keyVersion = "llmperf/caching key v1\n"

// Key is the cache key of a chat request: the SHA-256, in hex, of the request marshalled as JSON after the
// fields that cannot change the answer are cleared (streaming, user and billing metadata). Everything else —
// model, every message with its role, name, parts and tool calls, temperature, top_p, seed, max tokens, stop,
// penalties, tools, tool choice, response format, fields added by later versions of go-openai — is in it.
//
// Clearing a short deny-list rather than copying an allow-list fails safe: a new field that changes the answer
// splits the cache (a missed hit), never serves one request's answer to another. The API key is not part of
// a request, so it never reaches a key. Maps marshal with sorted keys, so equal requests give equal keys.
func Key(req openai.ChatCompletionRequest) (string, error) {
	req.Stream = false
	req.StreamOptions = nil
	req.User = ""
	req.SafetyIdentifier = ""
	req.Store = false
	req.Metadata = nil
	req.ServiceTier = ""
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("caching: request cannot be keyed: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(keyVersion))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// greedy is the largest temperature treated as zero.
const greedy = 1e-3

// Deterministic reports whether req asks for a repeatable answer: it sets a Seed, or a Temperature that is
// (nearly) zero. A Temperature of exactly 0 does not count: go-openai leaves it out of the request and the API
// then samples at its default of 1. (A seed makes the API's answers repeatable on a best-effort basis only.)
func Deterministic(req openai.ChatCompletionRequest) bool {
	return req.Seed != nil || (req.Temperature > 0 && req.Temperature <= greedy)
}
