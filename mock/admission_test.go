package mock_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

var rateHeaders = []string{"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
	"x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"}

func header(t *testing.T, h http.Header, k string) int {
	t.Helper()
	n, err := strconv.Atoi(h.Get(k))
	if err != nil {
		t.Fatalf("%s: %q is not a number", k, h.Get(k))
	}
	return n
}

// Admission charges the prompt plus max_tokens per choice; usage reports the real tokens; once the answer is sent
// the unused part of the charge is back in the bucket. (Virtual time stands still: no refill between requests.)
func TestAdmissionCountsMaxTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{TPM: 100_000, AnswerTokens: 30})
		msgs := userMsg("Summarise the site log in one line.")
		prompt := tokens.CountChat("gpt-4o-mini", msgs)
		for _, tc := range []struct {
			name   string
			req    openai.ChatCompletionRequest
			charge int
		}{
			{"max_tokens 400", openai.ChatCompletionRequest{Model: "gpt-4o-mini", Messages: msgs, MaxTokens: 400}, prompt + 400},
			{"max_completion_tokens 200, n 3", openai.ChatCompletionRequest{Model: "gpt-4o-mini-2024-07-18", Messages: msgs,
				MaxCompletionTokens: 200, N: 3}, prompt + 600},
			{"no cap", openai.ChatCompletionRequest{Model: "gpt-4o-mini", Messages: msgs}, prompt + 30},
		} {
			body, _ := json.Marshal(tc.req)
			before, _ := probe(t, s)
			resp, err := s.Transport().RoundTrip(mustRequest(t, string(body)))
			if err != nil {
				t.Fatal(err)
			}
			var got openai.ChatCompletionResponse
			json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			if charged := before - header(t, resp.Header, "x-ratelimit-remaining-tokens"); charged != tc.charge {
				t.Errorf("%s: admission charged %d tokens, want prompt %d + cap = %d", tc.name, charged, prompt, tc.charge)
			}
			if real := prompt + 30*max(tc.req.N, 1); got.Usage.TotalTokens != real {
				t.Errorf("%s: usage %d tokens, want the real %d", tc.name, got.Usage.TotalTokens, real)
			}
			synctest.Wait() // the handler has settled
			if after, cost := probe(t, s); before-after-cost != got.Usage.TotalTokens {
				t.Errorf("%s: after the answer %d tokens stay charged, want the usage %d", tc.name, before-after-cost, got.Usage.TotalTokens)
			}
		}
	})
}

// probe sends the smallest chat request to gpt-4o-mini and returns the remaining tokens after it and its cost.
func probe(t *testing.T, s *mock.Server) (remaining, cost int) {
	t.Helper()
	rec, _ := serve(t, s, "POST", mock.PathChat, `{"model":"gpt-4o-mini","max_tokens":1,"messages":[{"role":"user","content":"x"}]}`)
	if rec.Code != 200 {
		t.Fatalf("probe: status %d", rec.Code)
	}
	return header(t, rec.Header(), "x-ratelimit-remaining-tokens"), tokens.CountChat("gpt-4o-mini", userMsg("x")) + 1
}

func TestStartUsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mock.New(mock.Config{RPM: 100, TPM: 10_000, StartUsed: 0.6})
		rec, _ := serve(t, s, "POST", mock.PathChat, `{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`)
		if rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
		if got := header(t, rec.Header(), "x-ratelimit-remaining-requests"); got != 39 {
			t.Errorf("remaining requests %d, want 40%% of 100 − 1 = 39", got)
		}
		if got := header(t, rec.Header(), "x-ratelimit-remaining-tokens"); got > 4000-10 || got < 3900 {
			t.Errorf("remaining tokens %d, want 40%% of 10,000 less one small request", got)
		}
		if _, err := time.ParseDuration(rec.Header().Get("x-ratelimit-reset-tokens")); err != nil {
			t.Errorf("reset %q", rec.Header().Get("x-ratelimit-reset-tokens"))
		}
	})
	if err := (mock.Config{StartUsed: 1.5}).Validate(); err == nil || !strings.Contains(err.Error(), "StartUsed") {
		t.Errorf("StartUsed 1.5: %v", err)
	}
}

// All six x-ratelimit headers on every chat and embeddings reply whatever the limits; x-request-id on every reply.
func TestHeadersAlways(t *testing.T) {
	for _, cfg := range []mock.Config{{}, {RPM: 60}, {TPM: 1000}, {RPM: 60, TPM: 1000}} {
		s := mock.New(cfg)
		for _, r := range []struct{ method, path, body string }{
			{"POST", mock.PathChat, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`},
			{"POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":"hi"}`},
		} {
			rec, _ := serve(t, s, r.method, r.path, r.body)
			for _, k := range rateHeaders {
				if rec.Header().Get(k) == "" {
					t.Errorf("RPM %d TPM %d %s: no %s", cfg.RPM, cfg.TPM, r.path, k)
				}
			}
			if cfg.RPM == 0 && rec.Header().Get("x-ratelimit-limit-requests") != "1000000000" {
				t.Errorf("no request limit reported as %q", rec.Header().Get("x-ratelimit-limit-requests"))
			}
		}
	}
	s := mock.New(mock.Config{})
	ids := map[string]bool{}
	for _, r := range []struct{ method, path, body string }{
		{"POST", mock.PathChat, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`},
		{"POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small","input":"hi"}`},
		{"POST", mock.PathEmbeddings, `{"model":"text-embedding-3-small"}`},
		{"POST", mock.PathChat, `{"model":"gpt-9","messages":[]}`},
		{"GET", mock.PathModels, ``},
		{"GET", "/nowhere", ``},
	} {
		rec, _ := serve(t, s, r.method, r.path, r.body)
		id := rec.Header().Get("x-request-id")
		if !strings.HasPrefix(id, "req_") || ids[id] {
			t.Errorf("%s %s (%d): x-request-id %q, want a new req_… id", r.method, r.path, rec.Code, id)
		}
		ids[id] = true
	}
}

func TestTPMMessageSaysRequested(t *testing.T) {
	s := mock.New(mock.Config{TPM: 1000, AnswerTokens: 300})
	body := `{"model":"gpt-4o","max_tokens":300,"messages":[{"role":"user","content":"hi"}]}`
	prompt := tokens.CountChat("gpt-4o", userMsg("hi"))
	for range 10 {
		rec, e := serve(t, s, "POST", mock.PathChat, body)
		if rec.Code != 429 {
			continue
		}
		want := "Requested " + strconv.Itoa(prompt+300) + "."
		if !strings.Contains(e.Error.Message, "Limit 1000, Used ") || !strings.Contains(e.Error.Message, want) {
			t.Errorf("TPM 429 message %q, want the limit, the tokens used and %q", e.Error.Message, want)
		}
		return
	}
	t.Fatal("no 429 after 10 requests of 300+ tokens at 1,000 TPM")
}

func TestSnapshotNames(t *testing.T) {
	s := mock.New(mock.Config{})
	chat := func(model string) string {
		return `{"model":"` + model + `","messages":[{"role":"user","content":"hi"}]}`
	}
	emb := func(model string) string { return `{"model":"` + model + `","input":"hi"}` }
	for _, tc := range []struct {
		model string
		ok    bool
	}{
		{"gpt-4o", true}, {"gpt-4o-2024-08-06", true}, {"gpt-4o-mini-2024-07-18", true}, {"gpt-4-0613", true},
		{"gpt-3.5-turbo-0125", true}, {"text-embedding-3-small", true}, {"text-embedding-3-small-2024-01-25", true},
		{"gpt-4o-1001", false}, {"gpt-4o-1002", false}, {"gpt-4o-20ZZZZZZZZ", false}, {"gpt-4o-2024-13-01", false},
		{"gpt-4o-2024-02-30", false}, {"gpt-4o-2019-05-13", false}, {"gpt-4-1399", false}, {"gpt-4o-2024-08-06x", false},
		{"gpt-4o-2024-08-06-2024-08-06", false}, {"-2024-08-06", false}, {"gpt-9", false},
	} {
		isEmb := strings.HasPrefix(tc.model, "text-embedding")
		path, body := mock.PathChat, chat(tc.model)
		if isEmb {
			path, body = mock.PathEmbeddings, emb(tc.model)
		}
		for _, r := range []struct{ method, path, body string }{{"POST", path, body}, {"GET", mock.PathModels + "/" + tc.model, ""}} {
			rec, e := serve(t, s, r.method, r.path, r.body)
			switch {
			case tc.ok && rec.Code != 200:
				t.Errorf("%s %s: %d %s; a known family or dated snapshot", r.method, tc.model, rec.Code, e.Error.Message)
			case !tc.ok && (rec.Code != 404 || e.Error.Code == nil || *e.Error.Code != "model_not_found"):
				t.Errorf("%s %s: %d, want 404 model_not_found", r.method, tc.model, rec.Code)
			}
		}
		if !tc.ok { // the other endpoint says the same
			other, ob := mock.PathEmbeddings, emb(tc.model)
			if isEmb {
				other, ob = mock.PathChat, chat(tc.model)
			}
			if rec, _ := serve(t, s, "POST", other, ob); rec.Code != 404 {
				t.Errorf("POST %s %s: %d, want 404", other, tc.model, rec.Code)
			}
		}
	}
}

// A snapshot shares its family's bucket: renaming the model does not dodge the limit.
func TestSnapshotsShareTheFamilyBucket(t *testing.T) {
	s := mock.New(mock.Config{RPM: 2})
	codes := []int{}
	for _, m := range []string{"gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-05-13", "gpt-4o-2024-11-20"} {
		rec, _ := serve(t, s, "POST", mock.PathChat, `{"model":"`+m+`","messages":[{"role":"user","content":"hi"}]}`)
		codes = append(codes, rec.Code)
	}
	if !equal(codes, []int{200, 200, 429, 429}) {
		t.Errorf("RPM 2, gpt-4o then three snapshots: statuses %v, want [200 200 429 429]", codes)
	}
	if rec, _ := serve(t, s, "POST", mock.PathChat, `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`); rec.Code != 200 {
		t.Errorf("another family: %d, want its own bucket", rec.Code)
	}
}
