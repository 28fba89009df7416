package mock

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/tokens"
)

type modelKind int

const (
	kindChat modelKind = iota
	kindEmbedding
)

type model struct {
	id           string
	kind         modelKind
	dims         int  // embedding models: native dimensions
	flexibleDims bool // embedding models: accepts "dimensions"
}

// knownModels are the model families the mock serves. A dated snapshot of a family is accepted by the pattern in
// snapshotOf and shares the family's rate-limit buckets; any other name is 404 model_not_found on every endpoint.
var knownModels = []model{
	{id: "gpt-5", kind: kindChat},
	{id: "gpt-5-mini", kind: kindChat},
	{id: "gpt-5-nano", kind: kindChat},
	{id: "gpt-4.1", kind: kindChat},
	{id: "gpt-4.1-mini", kind: kindChat},
	{id: "gpt-4.1-nano", kind: kindChat},
	{id: "gpt-4o", kind: kindChat},
	{id: "gpt-4o-mini", kind: kindChat},
	{id: "o1", kind: kindChat},
	{id: "o3", kind: kindChat},
	{id: "o3-mini", kind: kindChat},
	{id: "o4-mini", kind: kindChat},
	{id: "gpt-4-turbo", kind: kindChat},
	{id: "gpt-4", kind: kindChat},
	{id: "gpt-3.5-turbo", kind: kindChat},
	{id: "text-embedding-3-small", kind: kindEmbedding, dims: 1536, flexibleDims: true},
	{id: "text-embedding-3-large", kind: kindEmbedding, dims: 3072, flexibleDims: true},
	{id: "text-embedding-ada-002", kind: kindEmbedding, dims: 1536},
}

var modelsByID = func() map[string]*model {
	m := make(map[string]*model, len(knownModels))
	for i := range knownModels {
		m[knownModels[i].id] = &knownModels[i]
	}
	return m
}()

// Models lists the ids of the models the server knows, chat models first.
func Models() []string {
	ids := make([]string, len(knownModels))
	for i, m := range knownModels {
		ids[i] = m.id
	}
	return ids
}

// modelInfo finds the family of a model id, or nil if the id is not one the mock serves. Accepted: a family's
// own id ("gpt-4o"), a dated snapshot "FAMILY-YYYY-MM-DD" with a real calendar date from 2023 on
// ("gpt-4o-2024-08-06"), and for the two families that used them, the older "FAMILY-MMDD" snapshots with a real
// month and day ("gpt-4-0613", "gpt-3.5-turbo-0125"). Nothing else: "gpt-4o-1001" and "gpt-4o-20ZZZZZZZZ" are
// unknown, so renaming a model cannot reach a bucket of its own.
func modelInfo(id string) *model {
	if m, ok := modelsByID[id]; ok {
		return m
	}
	family, ok := snapshotOf(id)
	if !ok {
		return nil
	}
	return modelsByID[family]
}

// legacySnapshots are the families whose snapshots were named FAMILY-MMDD.
var legacySnapshots = map[string]bool{"gpt-4": true, "gpt-3.5-turbo": true}

// snapshotOf splits a snapshot id into its family, if it has the form of one.
func snapshotOf(id string) (family string, ok bool) {
	const dated = len("-2024-08-06")
	if n := len(id) - dated; n > 0 && id[n] == '-' {
		if d, err := time.Parse("2006-01-02", id[n+1:]); err == nil && d.Year() >= 2023 {
			return id[:n], true
		}
	}
	const legacy = len("-0613")
	if n := len(id) - legacy; n > 0 && id[n] == '-' && isDigits(id[n+1:]) && legacySnapshots[id[:n]] {
		if _, err := time.Parse("0102", id[n+1:]); err == nil {
			return id[:n], true
		}
	}
	return "", false
}

// family is the id of the model family that id belongs to, or id itself if the mock does not know it.
func family(id string) string {
	if m := modelInfo(id); m != nil {
		return m.id
	}
	return id
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func checkModel(id string, kind modelKind) *requestError {
	m := modelInfo(id)
	if m == nil {
		return &requestError{status: http.StatusNotFound, e: apiError{
			Message: "The model `" + id + "` does not exist or you do not have access to it.",
			Type:    "invalid_request_error", Param: "model", Code: "model_not_found"}}
	}
	if m.kind != kind {
		what := "a chat model"
		if kind == kindEmbedding {
			what = "an embedding model"
		}
		return invalid("model", "The model `"+id+"` is not "+what+"; this endpoint needs "+what+".")
	}
	return nil
}

// created is a fixed creation time for the model list.
var created = time.Date(2024, 5, 13, 0, 0, 0, 0, time.UTC).Unix()

type modelObject struct {
	ID       string `json:"id"`
	Object   string `json:"object"`
	Created  int64  `json:"created"`
	OwnedBy  string `json:"owned_by"`
	Encoding string `json:"encoding,omitempty"` // the mock's extra: the model's tokenizer
}

func newModelObject(id string) modelObject {
	return modelObject{ID: id, Object: "model", Created: created, OwnedBy: "openai", Encoding: tokens.EncodingName(id)}
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	list := struct {
		Object string        `json:"object"`
		Data   []modelObject `json:"data"`
	}{Object: "list"}
	for _, m := range knownModels {
		list.Data = append(list.Data, newModelObject(m.id))
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) model(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(strings.TrimSuffix(r.URL.Path, "/"), PathModels+"/")
	m := modelInfo(id)
	if m == nil {
		writeError(w, http.StatusNotFound, apiError{
			Message: "The model `" + id + "` does not exist or you do not have access to it.",
			Type:    "invalid_request_error", Param: "model", Code: "model_not_found"})
		return
	}
	writeJSON(w, http.StatusOK, newModelObject(id))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, apiError{Message: "mock: " + err.Error(), Type: "server_error"})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
}
