package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is the body of an OpenAI error: {"error": {...}}.
type apiError struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	Param   any    `json:"param"` // string or null
	Code    any    `json:"code"`  // string or null
}

// writeError sends an OpenAI-style JSON error with status code.
func writeError(w http.ResponseWriter, code int, e apiError) {
	if e.Code == "" {
		e.Code = nil
	}
	if e.Param == "" {
		e.Param = nil
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // "expected a value >= 1", not "\u003e= 1"
	enc.Encode(struct {
		Error apiError `json:"error"`
	}{e}) // cannot fail: strings and nils only; Encode adds the final newline
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	w.WriteHeader(code)
	w.Write(body.Bytes())
}

// invalid is a 400 invalid_request_error about param.
func invalid(param, msg string) *requestError {
	return &requestError{status: http.StatusBadRequest, e: apiError{Message: msg, Type: "invalid_request_error", Param: param}}
}

// requestError is a request the server refuses, with the status and body to send.
type requestError struct {
	status int
	e      apiError
}

func (r *requestError) Error() string { return r.e.Message }
