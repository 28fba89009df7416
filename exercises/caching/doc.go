// Package caching is where you write week 2's exercises: never pay for the same LLM call twice.
//
// Read notebooks/02-caching.ipynb, then replace each todo.Exercise line with your code. Check one exercise with
// `go run ./cmd/workbook check lru` (or ttl, client, persistent, embeddings, semantic), or all with
// `go test ./exercises/caching`. The API here matches solutions/caching, which the notebook runs.
package caching
