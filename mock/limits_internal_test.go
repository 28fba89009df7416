package mock

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The bucket table holds one entry per model family, however many names a client makes up.
func TestBucketTableBounded(t *testing.T) {
	s := New(Config{RPM: 1_000_000, TPM: 1_000_000_000})
	day := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		model := knownModels[i%len(knownModels)].id
		switch i % 3 {
		case 1:
			model += day.AddDate(0, 0, i).Format("-2006-01-02")
		case 2:
			model += fmt.Sprintf("-%d", 1000+i) // not a snapshot: 404 before any bucket
		}
		path, body := PathChat, `{"model":"`+model+`","messages":[{"role":"user","content":"x"}]}`
		if modelInfo(model) != nil && modelInfo(model).kind == kindEmbedding {
			path, body = PathEmbeddings, `{"model":"`+model+`","input":"x"}`
		}
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", path, strings.NewReader(body)))
	}
	s.limits.mu.Lock()
	n := len(s.limits.models)
	s.limits.mu.Unlock()
	if n > len(knownModels) {
		t.Errorf("%d buckets after 2,000 model names; want at most one per family (%d)", n, len(knownModels))
	}
}
