package solutions_test

import (
	"testing"

	lessonscaching "github.com/llmperf/workbook/lessons/caching"
	solcaching "github.com/llmperf/workbook/solutions/caching"
)

func TestCaching(t *testing.T) { lessonscaching.Run(t, solcaching.Impl()) }
