package mock_test

import (
	"context"
	"math"
	"testing"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

func norm(v []float32) float64 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	return math.Sqrt(n)
}

func cosine(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d / norm(a) / norm(b)
}

func TestEmbeddings(t *testing.T) {
	c := mock.New(mock.Config{}).Client()
	ctx := context.Background()
	texts := []string{"the cache is warm", "the cache is cold", "budget spreadsheets for a construction site"}
	tests := []struct {
		model  openai.EmbeddingModel
		dims   int
		format openai.EmbeddingEncodingFormat
		want   int
	}{
		{openai.SmallEmbedding3, 0, "", 1536},
		{openai.LargeEmbedding3, 0, "", 3072},
		{openai.AdaEmbeddingV2, 0, "", 1536},
		{openai.SmallEmbedding3, 256, "", 256},
		{openai.SmallEmbedding3, 64, openai.EmbeddingEncodingFormatBase64, 64},
	}
	for _, tt := range tests {
		resp, err := c.CreateEmbeddings(ctx, openai.EmbeddingRequest{Input: texts, Model: tt.model, Dimensions: tt.dims, EncodingFormat: tt.format})
		if err != nil {
			t.Fatalf("%s: %v", tt.model, err)
		}
		if resp.Object != "list" || len(resp.Data) != len(texts) || resp.Model != tt.model {
			t.Fatalf("%s: envelope %+v", tt.model, resp)
		}
		want := 0
		for _, s := range texts {
			want += tokens.Count(string(tt.model), s)
		}
		if resp.Usage.PromptTokens != want || resp.Usage.TotalTokens != want {
			t.Errorf("%s: usage %+v, want %d", tt.model, resp.Usage, want)
		}
		for i, d := range resp.Data {
			if d.Index != i || d.Object != "embedding" || len(d.Embedding) != tt.want || math.Abs(norm(d.Embedding)-1) > 1e-5 {
				t.Errorf("%s item %d: index %d, object %q, %d dims, norm %v", tt.model, i, d.Index, d.Object, len(d.Embedding), norm(d.Embedding))
			}
		}
		if near, far := cosine(resp.Data[0].Embedding, resp.Data[1].Embedding), cosine(resp.Data[0].Embedding, resp.Data[2].Embedding); near <= far {
			t.Errorf("%s: similar texts cos %.3f, unrelated %.3f", tt.model, near, far)
		}
	}
	// Deterministic, and a single string works too.
	one, err := c.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: []string{texts[0]}, Model: openai.SmallEmbedding3})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateEmbeddings(ctx, openai.EmbeddingRequest{Input: texts[0], Model: openai.SmallEmbedding3})
	if err != nil {
		t.Fatal(err)
	}
	if cosine(one.Data[0].Embedding, again.Data[0].Embedding) < 0.999999 {
		t.Error("same text, different vectors")
	}
}

func TestModels(t *testing.T) {
	c := mock.New(mock.Config{}).Client()
	list, err := c.ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, m := range list.Models {
		have[m.ID] = true
		if m.Object != "model" || m.OwnedBy == "" || m.CreatedAt == 0 {
			t.Errorf("model %+v", m)
		}
	}
	for _, id := range []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3", "gpt-5", "gpt-4", "gpt-3.5-turbo", "text-embedding-3-small"} {
		if !have[id] {
			t.Errorf("model list lacks %s", id)
		}
	}
	if len(list.Models) != len(mock.Models()) {
		t.Errorf("%d models listed, Models() has %d", len(list.Models), len(mock.Models()))
	}
	m, err := c.GetModel(context.Background(), "gpt-4o")
	if err != nil || m.ID != "gpt-4o" {
		t.Errorf("GetModel: %+v %v", m, err)
	}
}
