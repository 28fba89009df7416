// Package streaming is where you write week 3's exercises: chunked streaming, big inputs in flat memory and
// answers as they arrive. Read notebooks/03-streaming.ipynb, then replace each todo.Exercise line with your
// code. Check one exercise with `go run ./cmd/workbook check records` (or chunker, pipeline, chat), the whole
// week with `go test ./exercises/streaming`.
package streaming
