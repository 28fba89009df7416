package mock

import (
	"net/http"
	"sync"
)

// streamBuffers hold a stream's events until they are written: with zero latency a whole answer is written in
// writes of up to streamFlush bytes, so a pooled buffer of that size serves every stream without growing.
var streamBuffers = sync.Pool{New: func() any { b := make([]byte, 0, streamFlush+4<<10); return &b }}

const streamFlush = 32 << 10

// stream sends answers as server-sent events, one token per chunk, each at its due time.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, c completionInfo, answers []answer, sc schedule, includeUsage bool) {
	ctx := r.Context()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	wait := !sc.zero()
	longest := 0
	for _, a := range answers {
		longest = max(longest, len(a.pieces))
	}
	dropAt := -1
	if c.drop {
		dropAt = longest / 2
	}
	pooled := streamBuffers.Get().(*[]byte)
	buf := (*pooled)[:0]
	defer func() {
		if cap(buf) <= 2*streamFlush { // an answer with a huge piece may have grown it: let that one go
			*pooled = buf[:0]
			streamBuffers.Put(pooled)
		}
	}()
	w.WriteHeader(http.StatusOK)
	for k := 0; k < longest; k++ {
		if wait {
			if !sleepUntil(ctx, sc.due(k)) {
				return
			}
		}
		if k == dropAt {
			w.Write(buf)
			abort(w)
		}
		for i, a := range answers {
			if k == 0 {
				buf = appendChunk(buf, c, i, true, "", "", includeUsage)
			}
			if k < len(a.pieces) {
				buf = appendChunk(buf, c, i, false, a.pieces[k], "", includeUsage)
			}
			if k == len(a.pieces)-1 {
				buf = appendChunk(buf, c, i, false, "", finishReason(a), includeUsage)
			}
		}
		if wait || len(buf) > streamFlush {
			if _, err := w.Write(buf); err != nil {
				return
			}
			flush()
			buf = buf[:0]
		}
	}
	if includeUsage {
		buf = appendUsageChunk(buf, c)
	}
	buf = append(buf, "data: [DONE]\n\n"...)
	w.Write(buf)
	flush()
}
