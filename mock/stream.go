package mock

import (
	"net/http"
)

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
	buf := make([]byte, 0, 4096)
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
		if wait || len(buf) > 32<<10 {
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
