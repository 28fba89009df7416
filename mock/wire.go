package mock

import (
	"strconv"
	"unicode/utf8"
)

// The JSON of replies is appended by hand: the shapes are fixed, and this keeps the hot path free of
// reflection (see BenchmarkLoopback).

type usage struct{ prompt, cached, completion int }

// completionInfo is what every chunk or reply of one completion shares.
type completionInfo struct {
	id      string
	created int64
	model   string
	fp      string
	usage   usage
	drop    bool // FaultDrop: cut the reply short
}

func finishReason(a answer) string {
	if len(a.pieces) < a.full {
		return "length"
	}
	return "stop"
}

func appendUsage(b []byte, u usage) []byte {
	b = append(b, `{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(u.prompt), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(u.completion), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(u.prompt+u.completion), 10)
	b = append(b, `,"prompt_tokens_details":{"cached_tokens":`...)
	b = strconv.AppendInt(b, int64(u.cached), 10)
	b = append(b, `,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`...)
	return b
}

// appendHead appends the fields every object of a completion starts with.
func appendHead(b []byte, c completionInfo, object string) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, c.id)
	b = append(b, `,"object":"`...)
	b = append(b, object...)
	b = append(b, `","created":`...)
	b = strconv.AppendInt(b, c.created, 10)
	b = append(b, `,"model":`...)
	b = appendString(b, c.model)
	b = append(b, `,"system_fingerprint":`...)
	b = appendString(b, c.fp)
	return b
}

// appendCompletion appends a whole chat.completion object.
func appendCompletion(b []byte, c completionInfo, answers []answer) []byte {
	b = appendHead(b, c, "chat.completion")
	b = append(b, `,"choices":[`...)
	for i, a := range answers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"index":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"message":{"role":"assistant","content":"`...)
		for _, p := range a.pieces {
			b = appendEscaped(b, p)
		}
		b = append(b, `","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"`...)
		b = append(b, finishReason(a)...)
		b = append(b, `"}`...)
	}
	b = append(b, `],"usage":`...)
	b = appendUsage(b, c.usage)
	b = append(b, `,"service_tier":"default"}`...)
	return b
}

// appendChunk appends one SSE event with a chat.completion.chunk. role marks the first chunk of a choice;
// finish, if not empty, the last.
func appendChunk(b []byte, c completionInfo, index int, role bool, content, finish string, withUsage bool) []byte {
	b = append(b, "data: "...)
	b = appendHead(b, c, "chat.completion.chunk")
	b = append(b, `,"choices":[{"index":`...)
	b = strconv.AppendInt(b, int64(index), 10)
	b = append(b, `,"delta":{`...)
	switch {
	case role:
		b = append(b, `"role":"assistant","content":"","refusal":null`...)
	case finish == "":
		b = append(b, `"content":`...)
		b = appendString(b, content)
	}
	b = append(b, `},"logprobs":null,"finish_reason":`...)
	if finish == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = append(b, finish...)
		b = append(b, '"')
	}
	b = append(b, "}]"...)
	if withUsage {
		b = append(b, `,"usage":null`...)
	}
	return append(b, "}\n\n"...)
}

// appendUsageChunk appends the final chunk of stream_options.include_usage: usage and no choices.
func appendUsageChunk(b []byte, c completionInfo) []byte {
	b = append(b, "data: "...)
	b = appendHead(b, c, "chat.completion.chunk")
	b = append(b, `,"choices":[],"usage":`...)
	b = appendUsage(b, c.usage)
	return append(b, "}\n\n"...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends s escaped for the inside of a JSON string; invalid UTF-8 becomes U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}
