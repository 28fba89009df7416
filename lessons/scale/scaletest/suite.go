// Package scaletest is week 7's conformance suite: it runs the same checks on the learner's code and on the
// reference, against a real redis-server (kit/redislocal) that it starts and stops itself.
package scaletest

import (
	"context"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redislocal"
	"github.com/llmperf/workbook/lessons/scale"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/redis/go-redis/v9"
)

// Run checks impl: one subtest per exercise, named as in kit/course/info.toml, each made of named checks. Without
// redis-server it skips, naming the package to install (and fails under CI=true, where one must be installed).
func Run(t *testing.T, impl scale.Impl) {
	suite.Exercise(t, "dedup", func(t *testing.T) {
		srv := redislocal.Test(t)
		smokeDedup(srv, impl.NewDedup)
		suite.RunChecks(t, DedupChecks(srv, impl.NewDedup))
	})
}

// smokeDedup calls each entry point once in the test's goroutine, so that a stub's stop is reported once.
func smokeDedup(srv *redislocal.Server, newDedup NewDedup) {
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	d := newDedup(rdb, scale.Options{Prefix: "smoke", TTL: time.Minute, LockTTL: time.Second})
	defer d.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d.Do(ctx, "smoke", func(context.Context) ([]byte, error) { return []byte("ok"), nil })
}
