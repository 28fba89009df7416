package mock

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/llmperf/workbook/kit/tokens"
)

// chat serves POST /v1/chat/completions.
func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, rerr := readChatBody(w, r, s.cfg.MaxBodyBytes)
	if rerr == nil {
		var req *chatRequest
		req, rerr = decodeChat(body)
		if rerr == nil {
			s.stats.model(req.Model)
			s.serveChat(w, r, req, start)
			return
		}
	}
	writeError(w, rerr.status, rerr.e)
}

// readChatBody reads the request body into one buffer of its declared length when it has one (every SDK sends
// it), instead of letting io.ReadAll grow a buffer copy by copy; other bodies, and bodies over the limit, take
// readBody's way.
func readChatBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *requestError) {
	n := r.ContentLength
	if r.Body == nil || n <= 0 || n > limit {
		return readBody(w, r, limit)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r.Body, body); err != nil {
		return nil, invalid("", "Could not read the request body: "+err.Error())
	}
	return body, nil
}

func (s *Server) serveChat(w http.ResponseWriter, r *http.Request, req *chatRequest, start time.Time) {
	ctx := r.Context()
	seq := s.seq.Add(1)
	d := s.draw(seq)

	enc, err := tokens.For(req.Model)
	if err != nil {
		writeError(w, http.StatusInternalServerError, apiError{Message: "mock: " + err.Error(), Type: "server_error"})
		return
	}
	prompt, cached := s.promptUsage(enc, req)
	v := vocabFor(enc)
	h := requestHash(req)
	answers := make([]answer, req.choices())
	completion := 0
	for i := range answers {
		hi := mix(h + uint64(i))
		answers[i] = s.reply(enc, v, req, hi, prompt)
		completion += len(answers[i].pieces)
	}
	req.Messages = nil // counted and hashed: a request waiting out its latency keeps none of its text

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
	settle, ok := s.admit(w, req.Model, chatCharge(req, prompt, completion))
	if !ok {
		return
	}
	defer settle(prompt + completion)
	s.stats.usage(prompt, cached, completion)

	c := completionInfo{
		id:      "chatcmpl-" + hex10(mix(seq)^h) + hex10(mix(^seq)) + hex10(mix(h)),
		created: start.Unix(),
		model:   req.Model,
		fp:      s.fp,
		usage:   usage{prompt, cached, completion},
		drop:    d.fault == FaultDrop,
	}
	if d.fault == FaultDrop {
		s.stats.fault(d.fault)
	}
	sc := s.schedule(start, d)
	if req.Stream {
		s.stream(w, r, c, answers, sc, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
		return
	}
	longest := 0
	for _, a := range answers {
		longest = max(longest, len(a.pieces))
	}
	if !sleepUntil(ctx, sc.due(longest-1)) {
		return
	}
	size := 768 // the fixed fields
	for _, a := range answers {
		size += 96
		for _, p := range a.pieces {
			size += len(p) + 1
		}
	}
	body := appendCompletion(make([]byte, 0, size), c, answers)
	settle(prompt + completion)
	h2 := w.Header()
	h2.Set("Content-Type", "application/json")
	h2.Set("Content-Length", strconv.Itoa(len(body)))
	h2.Set("openai-processing-ms", strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	w.WriteHeader(http.StatusOK)
	if c.drop {
		w.Write(body[:len(body)/2])
		abort(w)
	}
	w.Write(body)
}

// injectError answers with the error fault f, if f is one; it reports whether it did.
func (s *Server) injectError(w http.ResponseWriter, f Fault) bool {
	switch f {
	case Fault500:
		s.stats.fault(f)
		writeError(w, http.StatusInternalServerError, apiError{
			Message: "The server had an error while processing your request. Sorry about that! (injected by the mock)", Type: "server_error"})
	case Fault503:
		s.stats.fault(f)
		writeError(w, http.StatusServiceUnavailable, apiError{
			Message: "The engine is currently overloaded, please try again later. (injected by the mock)", Type: "server_error", Code: "overloaded"})
	case Fault429:
		s.stats.fault(f)
		setRetryAfter(w.Header(), time.Second)
		writeError(w, http.StatusTooManyRequests, apiError{
			Message: "Rate limit reached. Please try again in 1s. (injected by the mock)", Type: "requests", Code: "rate_limit_exceeded"})
	default:
		return false
	}
	return true
}

// abort drops the connection: net/http closes it without finishing the response, and Transport closes the
// body with io.ErrUnexpectedEOF.
func abort(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}
