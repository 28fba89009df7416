package concurrencytest

import (
	"testing"

	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/suite"
)

// Run checks impl: one subtest per exercise, named as in kit/course/info.toml.
func Run(t *testing.T, impl concurrency.Impl) {
	suite.Exercise(t, "semaphore", func(t *testing.T) { testSemaphore(t, impl.NewSemaphore) })
	suite.Exercise(t, "batch", func(t *testing.T) { testBatch(t, impl.Batch) })
	suite.Exercise(t, "limiter", func(t *testing.T) { testLimiter(t, impl.NewLimiter) })
	suite.Exercise(t, "retry", func(t *testing.T) { testRetry(t, impl.Retry, impl.Transport) })
	suite.Exercise(t, "cancel", func(t *testing.T) { testCancel(t, impl.First) })
}
