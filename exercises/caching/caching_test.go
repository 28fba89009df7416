package caching

import (
	"testing"

	lessons "github.com/llmperf/workbook/lessons/caching"
)

func TestCaching(t *testing.T) { lessons.Run(t, Impl()) }
