package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/llmperf/workbook/kit/tokens"
	openai "github.com/sashabaranov/go-openai"
)

// The files of `workbook batch`, in the OpenAI Batch API's JSONL formats: one request per input line, one result
// per output line. Neither file is ever held in memory: the input is read twice as a stream (once to check and
// price it, once to send it), and what the output already holds is kept as one 64-bit hash per custom_id.

// maxLine is the longest input line read; a longer one is reported as malformed and skipped.
const maxLine = 8 << 20

// batchLine is one line of the input file.
type batchLine struct {
	CustomID string          `json:"custom_id"`
	Method   string          `json:"method"`
	URL      string          `json:"url"`
	Body     json.RawMessage `json:"body"`
}

// batchRequest is a checked input line: what to send and what it may cost.
type batchRequest struct {
	line     int
	customID string
	url      string // "/v1/chat/completions" or "/v1/embeddings"
	body     []byte
	model    string
	prompt   int // prompt tokens, counted with the model's tokenizer
	maxOut   int // the most the answer may use (max_tokens × n, or the default); 0 for embeddings
}

// estimate is what a provider charges at admission.
func (r *batchRequest) estimate() int { return r.prompt + r.maxOut }

// requestBody is what batch reads from a request body; everything else is sent as it is.
type requestBody struct {
	Model               string          `json:"model"`
	Messages            []bodyMessage   `json:"messages"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	N                   *int            `json:"n"`
	Stream              bool            `json:"stream"`
	Input               json.RawMessage `json:"input"`
}

type bodyMessage struct {
	Role    string          `json:"role"`
	Name    string          `json:"name"`
	Content json.RawMessage `json:"content"`
}

// parseLine checks one input line. defaultOut is the answer assumed for a chat request without max_tokens.
func parseLine(n int, raw []byte, defaultOut int) (*batchRequest, string, error) {
	var l batchLine
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, "", fmt.Errorf("not a JSON object: %v", err)
	}
	id := l.CustomID
	switch {
	case l.CustomID == "":
		return nil, "", errors.New(`no "custom_id"`)
	case l.Method != "POST":
		return nil, id, fmt.Errorf(`"method" is %q; batch requests are POST`, l.Method)
	case l.URL != "/v1/chat/completions" && l.URL != "/v1/embeddings":
		return nil, id, fmt.Errorf(`"url" is %q; batch sends /v1/chat/completions and /v1/embeddings`, l.URL)
	case len(l.Body) == 0 || l.Body[0] != '{':
		return nil, id, errors.New(`"body" must be a JSON object`)
	}
	var b requestBody
	if err := json.Unmarshal(l.Body, &b); err != nil {
		return nil, id, fmt.Errorf("body: %v", err)
	}
	if b.Model == "" {
		return nil, id, errors.New(`body: no "model"`)
	}
	r := &batchRequest{line: n, customID: id, url: l.URL, body: l.Body, model: b.Model}
	enc, err := tokens.For(b.Model)
	if err != nil {
		return nil, id, err
	}
	if l.URL == "/v1/embeddings" {
		texts, err := embeddingInputs(b.Input)
		if err != nil {
			return nil, id, err
		}
		for _, t := range texts {
			r.prompt += t
		}
		return r, id, nil
	}
	if b.Stream {
		return nil, id, errors.New(`body: "stream": true is not supported in a batch`)
	}
	if len(b.Messages) == 0 {
		return nil, id, errors.New(`body: no "messages"`)
	}
	msgs := make([]openai.ChatCompletionMessage, len(b.Messages))
	for i, m := range b.Messages {
		msgs[i] = openai.ChatCompletionMessage{Role: m.Role, Name: m.Name}
		if err := messageContent(&msgs[i], m.Content); err != nil {
			return nil, id, fmt.Errorf("body: messages[%d]: %v", i, err)
		}
	}
	r.prompt = enc.CountChat(msgs)
	out := defaultOut
	switch {
	case b.MaxCompletionTokens != nil:
		out = *b.MaxCompletionTokens
	case b.MaxTokens != nil:
		out = *b.MaxTokens
	}
	choices := 1
	if b.N != nil && *b.N > 1 {
		choices = *b.N
	}
	r.maxOut = max(out, 0) * choices
	return r, id, nil
}

// messageContent reads a message's content: a string, an array of parts (text parts count), or null.
func messageContent(m *openai.ChatCompletionMessage, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '"' {
		return json.Unmarshal(raw, &m.Content)
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return errors.New(`"content" must be a string or an array of parts`)
	}
	for _, p := range parts {
		if p.Type == "text" {
			m.MultiContent = append(m.MultiContent, openai.ChatMessagePart{Type: openai.ChatMessagePartTypeText, Text: p.Text})
		}
	}
	return nil
}

// embeddingInputs returns the token count of each input of an embeddings body: a string, strings, or token ids.
func embeddingInputs(raw json.RawMessage) ([]int, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []int{tokens.Count("text-embedding-3-small", one)}, nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
		counts := make([]int, len(many))
		for i, s := range many {
			counts[i] = tokens.Count("text-embedding-3-small", s)
		}
		return counts, nil
	}
	var ids [][]int
	if json.Unmarshal(raw, &ids) == nil && len(ids) > 0 {
		counts := make([]int, len(ids))
		for i, t := range ids {
			counts[i] = len(t)
		}
		return counts, nil
	}
	var flat []int
	if json.Unmarshal(raw, &flat) == nil && len(flat) > 0 {
		return []int{len(flat)}, nil
	}
	return nil, errors.New(`body: "input" must be a string, an array of strings or of token ids`)
}

// lineReader reads lines of at most maxLine bytes; a longer line is returned as tooLong, without its bytes.
type lineReader struct {
	r    *bufio.Reader
	n    int // the number of the line last returned, from 1
	line []byte
}

func newLineReader(r io.Reader) *lineReader { return &lineReader{r: bufio.NewReaderSize(r, 64<<10)} }

// next returns the next line without its newline, reused by the next call. It returns io.EOF at the end.
func (lr *lineReader) next() (line []byte, tooLong bool, err error) {
	lr.line = lr.line[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if !tooLong {
			if len(lr.line)+len(chunk) > maxLine+1 {
				tooLong, lr.line = true, lr.line[:0]
			} else {
				lr.line = append(lr.line, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(lr.line) == 0 && !tooLong:
			return nil, false, io.EOF
		case err != nil && err != io.EOF:
			return nil, false, err
		}
		lr.n++
		return bytes.TrimRight(lr.line, "\r\n"), tooLong, nil
	}
}

// idHash is the 64-bit FNV-1a hash of a custom_id: stable across runs, so it can stand for the id in memory.
func idHash(id string) uint64 {
	h := fnv.New64a()
	io.WriteString(h, id)
	return h.Sum64()
}

// idSet is a set of custom_ids kept as sorted hashes, with the exact ids for the few hashes that two different
// ids of the input share.
type idSet struct {
	hashes []uint64
	exact  map[string]bool
	shared map[uint64]bool // hashes that stand for more than one id of the input
}

func (s *idSet) has(id string) bool {
	h := idHash(id)
	if s.shared[h] {
		return s.exact[id]
	}
	_, ok := slices.BinarySearch(s.hashes, h)
	return ok
}

// readDone reads the results already in the file at path and returns their custom_ids. A last line cut short
// (the previous run was killed while writing it) is cut off the file; any other line that is not a result is an
// error, since writing after it would make the file unreadable. Result lines can be far longer than requests (an
// embeddings reply): only the start of each is kept in memory.
func readDone(path string, shared map[uint64]bool) (*idSet, int, error) {
	set := &idSet{exact: map[string]bool{}, shared: shared}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return set, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var good, at int64 // bytes up to the end of the last whole result; bytes read
	n := 0
	for {
		head, size, complete, err := readResultLine(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		at += size
		id, ok := resultID(head, size)
		if !complete {
			break // a torn last line: cut off below
		}
		if !ok {
			return nil, 0, fmt.Errorf("%s line %d is not a result line; remove it (or use another -out) and run again", path, n+1)
		}
		good = at
		n++
		if h := idHash(id); shared[h] {
			set.exact[id] = true
		} else {
			set.hashes = append(set.hashes, h)
		}
	}
	if info, err := f.Stat(); err == nil && info.Size() > good {
		if err := f.Truncate(good); err != nil {
			return nil, 0, fmt.Errorf("cut the torn last line of %s: %w", path, err)
		}
	}
	slices.Sort(set.hashes)
	return set, n, nil
}

// headSize is how much of a result line readResultLine keeps: enough for its id and custom_id.
const headSize = 64 << 10

// readResultLine reads one line of a results file: its first headSize bytes, its whole size, and whether it ends
// with a newline.
func readResultLine(r *bufio.Reader) (head []byte, size int64, complete bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if len(head) < headSize {
			head = append(head, chunk[:min(len(chunk), headSize-len(head))]...)
		}
		size += int64(len(chunk))
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && size == 0:
			return nil, 0, false, io.EOF
		case err != nil && err != io.EOF:
			return nil, 0, false, err
		}
		return head, size, err == nil, nil
	}
}

// resultID finds the custom_id of a result line from its start. A line that fits in head must be whole JSON.
func resultID(head []byte, size int64) (string, bool) {
	trimmed := bytes.TrimRight(head, "\r\n")
	if int64(len(head)) == size && !json.Valid(trimmed) {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", false
		}
		if key == "custom_id" {
			var id string
			if dec.Decode(&id) != nil || id == "" {
				return "", false
			}
			return id, true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return "", false
		}
	}
	return "", false
}

// lineError is a malformed input line.
type lineError struct {
	line     int
	customID string
	err      error
}

func (e lineError) Error() string {
	if e.customID != "" {
		return fmt.Sprintf("line %d (custom_id %q): %v", e.line, e.customID, e.err)
	}
	return fmt.Sprintf("line %d: %v", e.line, e.err)
}

// quoteID shortens a custom_id for messages.
func quoteID(id string) string {
	if len(id) > 80 {
		id = id[:80] + "…"
	}
	return strings.ToValidUTF8(id, "?")
}
