package solutions_test

import (
	"os"
	"strings"
	"testing"

	"github.com/llmperf/workbook/exercises"
)

// TestEveryTopicIsChecked makes sure `go test ./solutions` really covers every topic of exercises/info.toml:
// each needs a file solutions/TOPIC_test.go with a test in it.
func TestEveryTopicIsChecked(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range exercises.All() {
		if seen[e.Topic] {
			continue
		}
		seen[e.Topic] = true
		file := e.Topic + "_test.go"
		src, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("topic %s: solutions/%s is missing, so go test ./solutions does not run its suite", e.Topic, file)
			continue
		}
		if !strings.Contains(string(src), "func Test") {
			t.Errorf("topic %s: solutions/%s has no test function", e.Topic, file)
		}
	}
}
