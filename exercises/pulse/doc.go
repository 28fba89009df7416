// Package pulse is where you write the capstone exercise: ProjectPulse's optimized path, assembled from your own
// week packages. Read the exercise's section in notebooks/06-capstone.ipynb, then replace the todo.Exercise line
// in pulse.go with your code. Check it with `go run ./cmd/workbook check pulse` or `go test ./exercises/pulse`;
// it runs once your lru, client, records, pipeline, limiter and retry pass their own checks.
package pulse
