package mock

import (
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
	body, _ := json.Marshal(struct {
		Error apiError `json:"error"`
	}{e})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(code)
	w.Write(append(body, '\n'))
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
