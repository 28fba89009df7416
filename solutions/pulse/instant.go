package pulse

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Instant is a model with zero latency, as an http.RoundTripper for go-openai's chat completions (plain and
// streamed). Its answer is cheap to make and depends only on the prompt: the prompt's hash and its last line,
// cut to the request's max_tokens words. Usage is estimated, not counted: a token per four bytes of prompt, a
// token per word of answer. It exists so that a benchmark measures the program — reading, the pipeline, the
// cache, the limiter, go-openai's encoding and decoding, SSE parsing — and not a provider or a tokenizer.
//
// It does as little as a server can: it decodes only the fields it reads, writes its JSON by hand with only the
// fields go-openai reads (no empty content_filter_results, logprobs or tool calls), and hands over the bytes it
// wrote without copying them. A streamed answer is two events and [DONE]: the whole text with its finish
// reason, then the usage (stream_options.include_usage), as a provider's last chunks are.
type Instant struct{}

// instantRequest is the part of a chat request Instant reads.
type instantRequest struct {
	Model     string `json:"model"`
	MaxTokens int    `json:"max_tokens"`
	Stream    bool   `json:"stream"`
	Messages  []struct {
		Content string `json:"content"`
	} `json:"messages"`
}

// RoundTrip answers a chat completion request.
func (Instant) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close()
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		return reply(r, http.StatusNotFound, "application/json",
			[]byte(`{"error":{"message":"instant: only POST /chat/completions"}}`)), nil
	}
	var req instantRequest
	if err := decodeBody(r, &req); err != nil || len(req.Messages) == 0 {
		return reply(r, http.StatusBadRequest, "application/json",
			[]byte(`{"error":{"message":"instant: bad request"}}`)), nil
	}
	prompt := req.Messages[len(req.Messages)-1].Content
	text := instantAnswer(prompt, req.MaxTokens)
	prompted, completed := len(prompt)/4+7, strings.Count(text, " ")+1
	buf := getBuffer(320 + 2*len(text) + 2*len(req.Model))
	b := *buf
	if !req.Stream {
		b = appendHead(b, req.Model, "chat.completion")
		b = append(b, `"choices":[{"index":0,"message":{"role":"assistant","content":`...)
		b = appendJSONString(b, text)
		b = append(b, `},"finish_reason":"stop"}],`...)
		b = appendUsage(b, prompted, completed)
		b = append(b, '}')
		*buf = b
		return pooledReply(r, "application/json", buf), nil
	}
	b = append(b, "data: "...)
	b = appendHead(b, req.Model, "chat.completion.chunk")
	b = append(b, `"choices":[{"index":0,"delta":{"role":"assistant","content":`...)
	b = appendJSONString(b, text)
	b = append(b, `},"finish_reason":"stop"}]}`+"\n\ndata: "...)
	b = appendHead(b, req.Model, "chat.completion.chunk")
	b = append(b, `"choices":[],`...)
	b = appendUsage(b, prompted, completed)
	b = append(b, "}\n\ndata: [DONE]\n\n"...)
	*buf = b
	return pooledReply(r, "text/event-stream", buf), nil
}

// decodeBody decodes a request's JSON body into v. A body of known length (go-openai's always is) is read
// whole into a pooled buffer and decoded there (the decoded strings are copies, so the buffer can be reused);
// any other through a json.Decoder.
func decodeBody(r *http.Request, v any) error {
	if r.Body == nil {
		return io.ErrUnexpectedEOF
	}
	if n := r.ContentLength; n > 0 && n <= 1<<20 {
		buf := getBuffer(int(n))
		defer putBuffer(buf)
		*buf = (*buf)[:n]
		if _, err := io.ReadFull(r.Body, *buf); err != nil {
			return err
		}
		return json.Unmarshal(*buf, v)
	}
	return json.NewDecoder(r.Body).Decode(v)
}

// buffers are Instant's byte buffers: request bodies while they are decoded, answers until the client closes
// them. A zero-latency model makes a request and an answer every few microseconds; without the pool, their
// bytes would be most of what the program allocates, and so set how often it collects garbage.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 2<<10); return &b }}

func getBuffer(n int) *[]byte {
	b := buffers.Get().(*[]byte)
	if cap(*b) < n {
		*b = make([]byte, 0, n)
	}
	*b = (*b)[:0]
	return b
}

func putBuffer(b *[]byte) {
	if cap(*b) <= 64<<10 { // keep buffers of usual sizes, not the largest ever seen
		buffers.Put(b)
	}
}

// pooledBody is an answer's body; Close hands its buffer back to the pool.
type pooledBody struct {
	bytes.Reader
	buf *[]byte
}

func (p *pooledBody) Close() error {
	if p.buf != nil {
		p.Reset(nil)
		putBuffer(p.buf)
		p.buf = nil
	}
	return nil
}

func appendHead(b []byte, model, object string) []byte {
	b = append(b, `{"id":"instant","object":"`...)
	b = append(b, object...)
	b = append(b, `","model":`...)
	b = appendJSONString(b, model)
	return append(b, ',')
}

func appendUsage(b []byte, prompt, completion int) []byte {
	b = append(b, `"usage":{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(prompt), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(completion), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(prompt+completion), 10)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
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
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// instantAnswer is a deterministic one-line answer to prompt of at most maxWords words: the prompt's hash, then
// the words of its last line.
func instantAnswer(prompt string, maxWords int) string {
	sum := uint64(14695981039346656037) // FNV-1a, 64 bits (hash/fnv's, without copying prompt to write it)
	for i := 0; i < len(prompt); i++ {
		sum = (sum ^ uint64(prompt[i])) * 1099511628211
	}
	sum >>= 32
	t := strings.TrimSpace(prompt)
	last := t[strings.LastIndexByte(t, '\n')+1:]
	b := make([]byte, 0, 11+len(last))
	b = append(b, '[')
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, "0123456789abcdef"[sum>>shift&0xf])
	}
	b = append(b, ']')
	words := 1
	for w := range strings.FieldsSeq(last) {
		if maxWords > 0 && words >= maxWords {
			break
		}
		b = append(b, ' ')
		b = append(b, w...)
		words++
	}
	return string(b)
}

// pooledReply is a 200 answer whose body is buf, handed back to the pool when the client closes it.
func pooledReply(r *http.Request, contentType string, buf *[]byte) *http.Response {
	resp := reply(r, http.StatusOK, contentType, nil)
	body := &pooledBody{buf: buf}
	body.Reset(*buf)
	resp.Body, resp.ContentLength = body, int64(len(*buf))
	return resp
}

func reply(r *http.Request, code int, contentType string, body []byte) *http.Response {
	return &http.Response{
		StatusCode: code, Status: strconv.Itoa(code) + " " + http.StatusText(code),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {contentType}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: r,
	}
}
