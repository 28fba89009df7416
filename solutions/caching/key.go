package caching

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"reflect"
	"sync"

	openai "github.com/sashabaranov/go-openai"
)

// The recipes' first lines: change one when its recipe changes, and old entries stop matching. The two recipes
// start differently, so a request keyed one way never meets a request keyed the other way.
const (
	keyVersion   = "llmperf/caching key v1\n"        // the whole request as JSON
	fieldVersion = "llmperf/caching key v2 fields\n" // the common fields, one by one
)

// Key is the cache key of a chat request: the SHA-256, in hex, of the request marshalled as JSON after the
// fields that cannot change the answer are cleared (streaming, user and billing metadata). Everything else —
// model, every message with its role, name, parts and tool calls, temperature, top_p, seed, max tokens, stop,
// penalties, tools, tool choice, response format, fields added by later versions of go-openai — is in it.
//
// Clearing a short deny-list rather than copying an allow-list fails safe: a new field that changes the answer
// splits the cache (a missed hit), never serves one request's answer to another. The API key is not part of
// a request, so it never reaches a key. Maps marshal with sorted keys, so equal requests give equal keys.
//
// A fast path, for speed: json.Marshal walks the request by reflection, which costs microseconds a call. A
// request that uses only the common fields (model, messages of role, name and text, the sampling numbers, seed,
// stop) — checked by asking reflection whether everything else is zero, so a field added later still takes
// the JSON path — is hashed field by field instead, under a different first line. Equal requests still get
// equal keys; two requests that marshal alike but take different paths (an empty non-nil slice, say) get
// different keys: a missed hit, never a wrong one.
func Key(req openai.ChatCompletionRequest) (string, error) {
	req.Stream = false
	req.StreamOptions = nil
	req.User = ""
	req.SafetyIdentifier = ""
	req.Store = false
	req.Metadata = nil
	req.ServiceTier = ""
	h := hashers.Get().(*keyHasher)
	defer hashers.Put(h)
	h.Reset()
	if !h.fields(req) {
		body, err := json.Marshal(req)
		if err != nil {
			return "", fmt.Errorf("caching: request cannot be keyed: %w", err)
		}
		h.Reset()
		h.Write([]byte(keyVersion))
		h.Write(body)
	}
	var sum [sha256.Size]byte
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], h.Sum(sum[:0]))
	return string(out[:]), nil
}

// keyHasher is a SHA-256 with a scratch buffer, reused across calls.
type keyHasher struct {
	hash.Hash
	buf []byte
}

var hashers = sync.Pool{New: func() any { return &keyHasher{Hash: sha256.New()} }}

// fields hashes the fields of a request that uses only the common ones, and reports whether it did; false
// leaves the hash to be reset. Every value is written with its length or a fixed width, so no two different
// requests write the same bytes.
func (h *keyHasher) fields(req openai.ChatCompletionRequest) bool {
	for _, f := range []float32{req.Temperature, req.TopP, req.PresencePenalty, req.FrequencyPenalty} {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return false // json.Marshal refuses these: let it say so
		}
	}
	rest := req // what the fast path does not hash must be zero
	rest.Model, rest.Messages, rest.MaxTokens, rest.MaxCompletionTokens = "", nil, 0, 0
	rest.Temperature, rest.TopP, rest.N, rest.Stop, rest.Seed = 0, 0, 0, nil, nil
	rest.PresencePenalty, rest.FrequencyPenalty = 0, 0
	if !reflect.ValueOf(&rest).Elem().IsZero() {
		return false
	}
	for i := range req.Messages {
		m := req.Messages[i]
		m.Role, m.Content, m.Name = "", "", ""
		if !reflect.ValueOf(&m).Elem().IsZero() {
			return false
		}
	}
	b := append(h.buf[:0], fieldVersion...)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(v int64) { b = binary.AppendVarint(b, v) }
	float := func(f float32) { b = binary.BigEndian.AppendUint32(b, math.Float32bits(f)) }
	str(req.Model)
	num(int64(len(req.Messages)))
	for _, m := range req.Messages {
		str(m.Role)
		str(m.Name)
		str(m.Content)
	}
	num(int64(req.MaxTokens))
	num(int64(req.MaxCompletionTokens))
	num(int64(req.N))
	float(req.Temperature)
	float(req.TopP)
	float(req.PresencePenalty)
	float(req.FrequencyPenalty)
	if req.Seed == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		num(int64(*req.Seed))
	}
	num(int64(len(req.Stop)))
	for _, s := range req.Stop {
		str(s)
	}
	h.Write(b)
	if cap(b) <= 64<<10 { // keep a scratch buffer of a usual size, not the longest prompt ever seen
		h.buf = b[:0]
	}
	return true
}

// greedy is the largest temperature treated as zero.
const greedy = 1e-3

// Deterministic reports whether req asks for a repeatable answer: it sets a Seed, or a Temperature that is
// (nearly) zero. A Temperature of exactly 0 does not count: go-openai leaves it out of the request and the API
// then samples at its default of 1. (A seed makes the API's answers repeatable on a best-effort basis only.)
func Deterministic(req openai.ChatCompletionRequest) bool {
	return req.Seed != nil || (req.Temperature > 0 && req.Temperature <= greedy)
}
