package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// chatRequest is the part of a chat completion request the mock reads. Other fields are accepted and ignored.
type chatRequest struct {
	Model               string    `json:"model"`
	Messages            []message `json:"messages"`
	MaxTokens           *int      `json:"max_tokens"`
	MaxCompletionTokens *int      `json:"max_completion_tokens"`
	N                   *int      `json:"n"`
	Seed                *int64    `json:"seed"`
	Stream              bool      `json:"stream"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

// message is one chat message. Content is a string, an array of parts, or null (an assistant's tool call).
type message struct {
	Role      string     `json:"role"`
	Content   content    `json:"content"`
	Name      string     `json:"name"`
	ToolCalls []toolCall `json:"tool_calls"`
}

type toolCall struct {
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// content is a message's text: a string, or the text parts of an array of parts joined together.
type content struct {
	Text  string
	Parts []string // text parts when the content was an array
}

func (c *content) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, &c.Text)
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '[':
		var parts []struct {
			Type string  `json:"type"`
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(b, &parts); err != nil {
			return err
		}
		for i, p := range parts {
			switch p.Type {
			case "text":
				if p.Text == nil {
					return fmt.Errorf("content part %d of type text has no text", i)
				}
				c.Parts = append(c.Parts, *p.Text)
			case "image_url", "input_audio", "file", "refusal":
				// Not text; not counted.
			default:
				return fmt.Errorf("content part %d has unknown type %q", i, p.Type)
			}
		}
		return nil
	default:
		return errors.New("content must be a string, an array of content parts, or null")
	}
}

var roles = map[string]bool{"system": true, "developer": true, "user": true, "assistant": true, "tool": true, "function": true}

// maxChoices bounds n.
const maxChoices = 8

// decodeChat reads and checks a chat completion request body.
func decodeChat(body []byte) (*chatRequest, *requestError) {
	var req chatRequest
	if err := decodeJSON(body, &req); err != nil {
		return nil, err
	}
	if req.Model == "" {
		return nil, invalid("model", "you must provide a model parameter")
	}
	if e := checkModel(req.Model, kindChat); e != nil {
		return nil, e
	}
	if req.Messages == nil {
		return nil, invalid("messages", "Missing required parameter: 'messages'.")
	}
	if len(req.Messages) == 0 {
		e := invalid("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
		e.e.Code = "empty_array"
		return nil, e
	}
	for i, m := range req.Messages {
		if !roles[m.Role] {
			return nil, invalid(fmt.Sprintf("messages[%d].role", i),
				fmt.Sprintf("Invalid value for 'messages[%d].role': %q. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool' and 'function'.", i, m.Role))
		}
	}
	for _, p := range []struct {
		name string
		v    *int
	}{{"max_tokens", req.MaxTokens}, {"max_completion_tokens", req.MaxCompletionTokens}} {
		if p.v != nil && *p.v < 1 {
			return nil, invalid(p.name, fmt.Sprintf("Invalid '%s': integer below minimum value. Expected a value >= 1, but got %d instead.", p.name, *p.v))
		}
	}
	if req.N != nil && (*req.N < 1 || *req.N > maxChoices) {
		return nil, invalid("n", fmt.Sprintf("Invalid 'n': expected a value between 1 and %d, got %d.", maxChoices, *req.N))
	}
	if req.StreamOptions != nil && !req.Stream {
		return nil, invalid("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	return &req, nil
}

// maxOut is the completion limit the request sets, 0 for none.
func (r *chatRequest) maxOut() int {
	switch {
	case r.MaxCompletionTokens != nil:
		return *r.MaxCompletionTokens
	case r.MaxTokens != nil:
		return *r.MaxTokens
	}
	return 0
}

func (r *chatRequest) choices() int {
	if r.N == nil {
		return 1
	}
	return *r.N
}

// embeddingRequest is an embeddings request; Input is a string or an array of strings.
type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	Dimensions     *int            `json:"dimensions"`
	EncodingFormat string          `json:"encoding_format"`
	inputs         []string
}

// maxInputs bounds the batch size, as OpenAI does.
const maxInputs = 2048

func decodeEmbedding(body []byte) (*embeddingRequest, *requestError) {
	var req embeddingRequest
	if err := decodeJSON(body, &req); err != nil {
		return nil, err
	}
	if req.Model == "" {
		return nil, invalid("model", "you must provide a model parameter")
	}
	if e := checkModel(req.Model, kindEmbedding); e != nil {
		return nil, e
	}
	in := bytes.TrimSpace(req.Input)
	switch {
	case len(in) == 0 || bytes.Equal(in, []byte("null")):
		return nil, invalid("input", "Missing required parameter: 'input'.")
	case in[0] == '"':
		var s string
		if err := json.Unmarshal(in, &s); err != nil {
			return nil, invalid("input", "Invalid 'input': "+err.Error())
		}
		req.inputs = []string{s}
	case in[0] == '[':
		var raw []json.RawMessage
		if err := json.Unmarshal(in, &raw); err != nil {
			return nil, invalid("input", "Invalid 'input': "+err.Error())
		}
		if len(raw) == 0 {
			return nil, invalid("input", "Invalid 'input': empty array. Expected a string or a non-empty array of strings.")
		}
		if len(raw) > maxInputs {
			return nil, invalid("input", fmt.Sprintf("Invalid 'input': at most %d inputs per request, got %d.", maxInputs, len(raw)))
		}
		req.inputs = make([]string, len(raw))
		for i, r := range raw {
			r = bytes.TrimSpace(r)
			if len(r) == 0 || r[0] != '"' {
				return nil, invalid("input", fmt.Sprintf("Invalid 'input[%d]': the mock accepts strings only; token arrays are not supported.", i))
			}
			if err := json.Unmarshal(r, &req.inputs[i]); err != nil {
				return nil, invalid("input", fmt.Sprintf("Invalid 'input[%d]': %v", i, err))
			}
		}
	default:
		return nil, invalid("input", "Invalid 'input': expected a string or an array of strings.")
	}
	for i, s := range req.inputs {
		if s == "" {
			return nil, invalid("input", fmt.Sprintf("Invalid 'input[%d]': empty string.", i))
		}
	}
	info := modelInfo(req.Model)
	if req.Dimensions != nil {
		d := *req.Dimensions
		switch {
		case !info.flexibleDims:
			return nil, invalid("dimensions", "This model does not support specifying dimensions.")
		case d < 1 || d > info.dims:
			return nil, invalid("dimensions", fmt.Sprintf("Invalid 'dimensions': expected a value between 1 and %d, got %d.", info.dims, d))
		}
	}
	switch req.EncodingFormat {
	case "", "float", "base64":
	default:
		return nil, invalid("encoding_format", fmt.Sprintf("Invalid 'encoding_format': %q. Supported values are: 'float' and 'base64'.", req.EncodingFormat))
	}
	return &req, nil
}

func (r *embeddingRequest) dims() int {
	if r.Dimensions != nil {
		return *r.Dimensions
	}
	return modelInfo(r.Model).dims
}

// decodeJSON unmarshals a request body, turning decoder errors into OpenAI-style 400s.
func decodeJSON(body []byte, v any) *requestError {
	if len(bytes.TrimSpace(body)) == 0 {
		return invalid("", "We could not parse the JSON body of your request: the body is empty. (HINT: send a JSON object.)")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return invalid(te.Field, fmt.Sprintf("Invalid type for '%s': expected %s, but got %s instead.", te.Field, jsonKind(te.Type.Kind().String()), te.Value))
	}
	if te != nil {
		return invalid("", "Invalid request body: expected a JSON object, but got "+te.Value+" instead.")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return invalid("", "We could not parse the JSON body of your request: "+se.Error()+" at byte "+strconv.FormatInt(se.Offset, 10)+".")
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "json:") && i >= 0 {
		msg = msg[i+2:]
	}
	return invalid("", "Invalid request body: "+msg)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return goKind
}

// readBody reads at most limit bytes of the request body; a larger body is a 413.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *requestError) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return nil, &requestError{status: http.StatusRequestEntityTooLarge, e: apiError{
				Message: fmt.Sprintf("Request body too large: the limit is %d bytes.", me.Limit), Type: "invalid_request_error", Code: "request_too_large"}}
		}
		return nil, invalid("", "Could not read the request body: "+err.Error())
	}
	return body, nil
}
