package mock

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/llmperf/workbook/kit/tokens"
)

// embeddings serves POST /v1/embeddings.
//
// A text's vector is the normalised sum of one fixed pseudo-random vector per token of the text, so texts that
// share tokens point in similar directions (a semantic cache behaves plausibly) and the same text always gets
// the same vector. With "dimensions" the vector is the first dimensions components, normalised again — the
// way text-embedding-3 models shorten theirs.
func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, rerr := readBody(w, r, s.cfg.MaxBodyBytes)
	var req *embeddingRequest
	if rerr == nil {
		req, rerr = decodeEmbedding(body)
	}
	if rerr != nil {
		writeError(w, rerr.status, rerr.e)
		return
	}
	s.stats.model(req.Model)
	ctx := r.Context()
	seq := s.seq.Add(1)
	d := s.draw(seq)
	enc, err := tokens.For(req.Model)
	if err != nil {
		writeError(w, http.StatusInternalServerError, apiError{Message: "mock: " + err.Error(), Type: "server_error"})
		return
	}
	ids, total := s.tokenize(enc, req.inputs)
	req.inputs = nil // tokenized: a request waiting out its latency keeps only the ids
	if d.fault == FaultSlowFirstByte {
		s.stats.fault(d.fault)
		if !sleep(ctx, s.cfg.SlowFirstByte) {
			return
		}
		start = time.Now()
	}
	if s.injectError(w, d.fault) {
		return
	}
	if _, ok := s.admit(w, req.Model, total); !ok {
		return
	}
	s.stats.usage(total, 0, 0)
	if !sleepUntil(ctx, s.schedule(start, d).due(0)) {
		return
	}

	// The reply goes out as it is made, through a fixed buffer: 2,048 inputs of 3,072 dimensions make tens of
	// MB of JSON, and the memory a request takes must not grow with that.
	dims, native := req.dims(), modelInfo(req.Model).dims
	b64 := req.EncodingFormat == "base64"
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	dropAt := -1
	if d.fault == FaultDrop {
		s.stats.fault(d.fault)
		dropAt = len(ids) / 2
	}
	out := make([]byte, 0, 64+dims*12)
	out = append(out, `{"object":"list","data":[`...)
	vec := make([]float64, native)
	raw := make([]byte, 4*dims)
	for i, tok := range ids {
		if i == dropAt {
			bw.Flush()
			abort(w)
		}
		embed(vec, req.Model, tok)
		normalize(vec[:dims])
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"object":"embedding","index":`...)
		out = strconv.AppendInt(out, int64(i), 10)
		out = append(out, `,"embedding":`...)
		if b64 {
			for j, x := range vec[:dims] {
				binary.LittleEndian.PutUint32(raw[4*j:], math.Float32bits(float32(x)))
			}
			out = append(out, '"')
			out = base64.StdEncoding.AppendEncode(out, raw)
			out = append(out, '"')
		} else {
			out = append(out, '[')
			for j, x := range vec[:dims] {
				if j > 0 {
					out = append(out, ',')
				}
				out = strconv.AppendFloat(out, float64(float32(x)), 'g', -1, 32)
			}
			out = append(out, ']')
		}
		out = append(out, '}')
		if _, err := bw.Write(out); err != nil {
			return // the client went away
		}
		out = out[:0]
	}
	out = append(out, `],"model":`...)
	out = appendString(out, req.Model)
	out = append(out, `,"usage":{"prompt_tokens":`...)
	out = strconv.AppendInt(out, int64(total), 10)
	out = append(out, `,"total_tokens":`...)
	out = strconv.AppendInt(out, int64(total), 10)
	out = append(out, "}}"...)
	bw.Write(out)
	bw.Flush()
}

// tokenize returns the token ids of each input and their total, tokenizing as promptUsage does.
func (s *Server) tokenize(enc *tokens.Encoder, inputs []string) (ids [][]uint32, total int) {
	s.tokenizing <- struct{}{}
	defer func() { <-s.tokenizing }()
	ids = make([][]uint32, len(inputs))
	for i, in := range inputs {
		ids[i] = s.counts.ids(enc, in)
		total += len(ids[i])
	}
	return ids, total
}

// embed fills vec with the sum of the token vectors of ids.
func embed(vec []float64, model string, ids []uint32) {
	clear(vec)
	mh := newHash()
	mh.str(model)
	base := mh.sum()
	for _, id := range ids {
		r := rng(mix(base ^ uint64(id)))
		for j := range vec {
			vec[j] += 2*r.float() - 1
		}
	}
}

func normalize(v []float64) {
	var n float64
	for _, x := range v {
		n += x * x
	}
	if n == 0 {
		return
	}
	n = 1 / math.Sqrt(n)
	for j := range v {
		v[j] *= n
	}
}
