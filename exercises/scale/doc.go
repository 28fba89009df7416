// Package scale is where you write week 7's exercise, dedup: identical misses in flight in different processes
// cost one upstream call, through Redis.
//
// Read notebooks/07-scale.ipynb, then replace each todo.Exercise line in dedup.go with your code. Check it with
// `go run ./cmd/workbook check dedup` or `go test ./exercises/scale` (it needs redis-server installed; the suite
// starts its own). The API here matches solutions/scale's Dedup, a thin face on the Cache the notebook runs.
package scale
