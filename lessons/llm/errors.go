package llm

import (
	"strings"

	"github.com/llmperf/workbook/kit/redact"
)

// Error is an error from this package. Its text never contains the API key, nor anything kit/redact removes.
type Error struct {
	Op  string // what was being done, e.g. "chat gpt-4o-mini via openai at https://…"
	Msg string // set for errors of this package's own making
	Err error  // the underlying error, if any
	key string // scrubbed from Err's text
}

func (e *Error) Error() string {
	msg := e.Msg
	if e.Err != nil {
		msg = e.Err.Error()
		if e.key != "" { // also a key too short for kit/redact to register
			msg = strings.ReplaceAll(msg, e.key, redact.Mask)
		}
	}
	return redact.String("llm: " + e.Op + ": " + msg)
}

// Unwrap gives errors.As access to the cause, such as *openai.APIError for a status code or a 429. Print the
// *Error, not the cause: only the *Error's text is scrubbed of the key.
func (e *Error) Unwrap() error { return e.Err }

func (c *Client) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op + " " + c.Model + " via " + c.String(), Err: err, key: c.key}
}
