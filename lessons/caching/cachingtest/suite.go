package cachingtest

import (
	"testing"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/suite"
)

// Run checks impl: one subtest per exercise, named as in kit/course/info.toml, each made of named checks.
func Run(t *testing.T, impl caching.Impl) {
	suite.Exercise(t, "lru", func(t *testing.T) {
		smokeLRU(impl.NewLRU)
		suite.RunChecks(t, LRUChecks(impl.NewLRU))
	})
	suite.Exercise(t, "ttl", func(t *testing.T) {
		smokeTTL(impl.NewTTL)
		suite.RunChecks(t, TTLChecks(impl.NewTTL))
	})
	suite.Exercise(t, "client", func(t *testing.T) {
		smokeClient(impl.NewClient)
		suite.RunChecks(t, ClientChecks(impl.NewClient))
	})
	suite.Exercise(t, "persistent", func(t *testing.T) {
		smokeStore(t, impl.OpenStore)
		suite.RunChecks(t, StoreChecks(impl.OpenStore))
	})
	suite.Exercise(t, "embeddings", func(t *testing.T) {
		smokeEmbeddings(impl.NewEmbeddings)
		suite.RunChecks(t, EmbeddingChecks(impl.NewEmbeddings))
	})
	suite.Exercise(t, "semantic", func(t *testing.T) {
		smokeSemantic(impl.NewSemantic)
		suite.RunChecks(t, SemanticChecks(impl.NewSemantic))
	})
}
