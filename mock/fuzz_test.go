package mock

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecode checks that no request body crashes the decoders or the handler, and that every refusal is an
// OpenAI-style JSON error with a 4xx status. Run it with: go test ./mock -run XXX -fuzz FuzzDecode -fuzztime 30s
// (seed corpus in testdata/fuzz/FuzzDecode).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":true,"stream_options":{"include_usage":true}}`,
		`{"model":"gpt-4o","max_tokens":3,"n":2,"seed":7,"messages":[{"role":"system","content":"x"},{"role":"user","name":"a","content":"y"}]}`,
		`{"model":"text-embedding-3-small","input":["a","b"],"dimensions":8,"encoding_format":"base64"}`,
		`{"model":"gpt-4o","messages":[]}`,
		`{"model":`,
		`[]`,
		`null`,
	} {
		f.Add([]byte(s))
	}
	s := New(Config{AnswerTokens: 3})
	f.Fuzz(func(t *testing.T, body []byte) {
		if req, err := decodeChat(body); err == nil {
			if req.Model == "" || len(req.Messages) == 0 || req.choices() < 1 || req.maxOut() < 0 {
				t.Fatalf("accepted an invalid request: %+v", req)
			}
		} else if err.status < 400 || err.status > 499 || err.e.Message == "" {
			t.Fatalf("bad refusal %d %+v", err.status, err.e)
		}
		if req, err := decodeEmbedding(body); err == nil {
			if len(req.inputs) == 0 || req.dims() < 1 {
				t.Fatalf("accepted an invalid embedding request: %+v", req)
			}
		} else if err.status < 400 || err.status > 499 {
			t.Fatalf("bad refusal %d", err.status)
		}
		for _, path := range []string{PathChat, PathEmbeddings} {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body))))
			switch {
			case rec.Code == http.StatusOK:
			case rec.Code >= 400 && rec.Code < 500:
				var e struct {
					Error struct{ Message, Type string }
				}
				if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Message == "" {
					t.Fatalf("%s: %d with body %q", path, rec.Code, rec.Body.String())
				}
			default:
				t.Fatalf("%s: status %d for %q", path, rec.Code, body)
			}
		}
	})
}
