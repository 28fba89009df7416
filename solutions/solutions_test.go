package solutions_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/course"
)

// TestEveryTopicIsChecked makes sure every topic of kit/course/info.toml is checked on both sides: the
// solution's folder and the exercise's folder each have TOPIC_test.go, and it runs the topic's suite.
func TestEveryTopicIsChecked(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range course.All() {
		if seen[e.Topic] {
			continue
		}
		seen[e.Topic] = true
		for _, dir := range []string{e.SolutionDir(), e.Dir()} {
			file := filepath.Join("..", dir, e.Topic+"_test.go")
			src, err := os.ReadFile(file)
			if err != nil {
				t.Errorf("topic %s: %s/%s_test.go is missing, so nothing runs its suite there", e.Topic, dir, e.Topic)
				continue
			}
			if call := e.Topic + "test.Run("; !strings.Contains(string(src), call) {
				t.Errorf("topic %s: %s/%s_test.go does not call %s", e.Topic, dir, e.Topic, call)
			}
		}
	}
}
